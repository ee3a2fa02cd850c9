package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.contracts.events.ReviewRequested.HistoryEntry;
import dev.portcullis.contracts.events.SessionEventFields;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The last requests one session recorded, for the session so far a review shows ({@link ReviewRequested#history}).
 * It keeps only what was recorded, the {@code session.request} data as written (masked), by reference: per request one
 * seq and one reference go into fixed arrays, allocated with the history at the session's first request. Nothing is
 * copied, read or encoded per request; a request's text is worked out ({@link #textOf}) and cut ({@link
 * HistoryEntry#clip}) only when a review opens ({@link #before}). A request whose event is larger than {@value
 * #KEEP_WHOLE_UP_TO} characters keeps its cut text instead, so a session keeps at most its last {@code size + 1}
 * requests of a few kB each.
 *
 * <p>Not thread-safe: {@link SessionRecorder} calls it under its lock, where it records the events.
 */
final class RequestHistory {

    /** Events up to this length keep a reference to their data; a larger one keeps its cut text alone. */
    static final int KEEP_WHOLE_UP_TO = 4_096;

    /** Entries a review carries. */
    private final int size;

    /** {@link #size} + 1: the held request itself is recorded before its review opens. */
    private final long[] seqs;
    /** The recorded data ({@link JsonObject}), or a large request's cut text ({@link String}). */
    private final Object[] requests;
    /** The action of the last {@code session.decision} about each request; null: none (yet). */
    private final String[] actions;
    /** Requests kept so far; the next goes to {@code kept % slots}. */
    private long kept;

    /** @param size 1 to {@link ReviewRequested#MAX_HISTORY} */
    RequestHistory(int size) {
        if (size < 1 || size > ReviewRequested.MAX_HISTORY) {
            throw new IllegalArgumentException("history size " + size + " is not 1 to " + ReviewRequested.MAX_HISTORY);
        }
        this.size = size;
        this.seqs = new long[size + 1];
        this.requests = new Object[size + 1];
        this.actions = new String[size + 1];
    }

    /**
     * A {@code session.request} recorded at {@code seq}.
     *
     * @param data its data, never changed once recorded (as every event's)
     * @param encodedLength the length of its event as written
     */
    void request(long seq, JsonObject data, int encodedLength) {
        int i = (int) (kept++ % seqs.length);
        seqs[i] = seq;
        if (encodedLength <= KEEP_WHOLE_UP_TO) {
            requests[i] = data;
            actions[i] = null;
        } else {
            requests[i] = HistoryEntry.clip(textOf(data));
            actions[i] = embeddedAction(data);
        }
    }

    /** A {@code session.decision}: the action of the request it names, if that is still kept. */
    void decision(JsonObject data) {
        if (!(data.getValue(SessionEventFields.REQUEST_SEQ) instanceof Number n)) {
            return;
        }
        long requestSeq = n.longValue();
        long oldest = Math.max(0, kept - seqs.length);
        for (long k = kept - 1; k >= oldest; k--) {
            int i = (int) (k % seqs.length);
            if (seqs[i] == requestSeq) {
                actions[i] = data.getString(SessionEventFields.ACTION);
                return;
            }
            if (seqs[i] < requestSeq) {
                return;
            }
        }
    }

    /** The last {@code size} requests kept before {@code heldSeq}, oldest first, their text cut. */
    List<HistoryEntry> before(long heldSeq) {
        List<HistoryEntry> out = new ArrayList<>(size);
        long oldest = Math.max(0, kept - seqs.length);
        for (long k = kept - 1; k >= oldest && out.size() < size; k--) {
            int i = (int) (k % seqs.length);
            if (seqs[i] >= heldSeq) {
                continue;
            }
            Object r = requests[i];
            String action = actions[i];
            String text;
            if (r instanceof JsonObject data) {
                text = HistoryEntry.clip(textOf(data));
                if (action == null) {
                    action = embeddedAction(data);
                }
            } else {
                text = (String) r;
            }
            out.add(new HistoryEntry(seqs[i], text, action));
        }
        Collections.reverse(out);
        return out;
    }

    /** The action of the decision a v2 {@code session.request} carries (PostgreSQL), else null. */
    private static String embeddedAction(JsonObject data) {
        return data.getValue(SessionEventFields.DECISION) instanceof JsonObject d
                ? d.getString(SessionEventFields.ACTION)
                : null;
    }

    /**
     * A recorded request as one line of text, from what its recording holds (masked): PostgreSQL's {@code text}; an
     * HTTP or Kubernetes method, path and query; an SSH command (a port forward's and SFTP's with their kind); a
     * Kubernetes exec's {@code stdin} line; else its kind in parentheses, with why it has no text when the recording
     * says (a line typed without echo, a request refused under a read grant).
     */
    static String textOf(JsonObject r) {
        String text = string(r, "text");
        if (text != null) {
            return text;
        }
        String method = string(r, "method");
        String path = string(r, "path");
        if (method != null && path != null) {
            String query = string(r, "query");
            return method + " " + path + (query == null || query.isEmpty() ? "" : "?" + query);
        }
        String kind = string(r, "kind");
        String command = string(r, "command");
        if (command != null && !command.isEmpty()) {
            return kind == null || kind.equals("exec") || kind.equals("shell_line") ? command : kind + " " + command;
        }
        String input = string(r, "input");
        if (input != null) {
            return input;
        }
        String op = string(r, "op");
        if (op != null) {
            return "sftp " + op + (path == null ? "" : " " + path);
        }
        String why = string(r, "withheld");
        if (why == null) {
            why = string(r, "refused");
        }
        return "(" + (kind == null ? "request" : kind) + (why == null ? "" : ": " + why) + ")";
    }

    private static String string(JsonObject r, String field) {
        return r.getValue(field) instanceof String s ? s : null;
    }
}
