package dev.portcullis.recorder.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.recorder.events.EventCopy.Obj;
import dev.portcullis.recorder.events.EventCopy.Scalar;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a session event, CloudEvents-style ({@code {"specversion":…,"type":…,"data":{…}}}) or flat
 * (every field at the top level). Tolerant of unknown fields; strict about what the recorder relies
 * on: session id, seq, type, and a {@code dataschema} it can read (contracts' {@link CloudEvent}).
 *
 * <p>One streaming pass, no JSON tree (the tree and its re-serialisation were a third of the recorder's ingest CPU,
 * README "Lag"; {@link EventCopy}): the event is copied token by token to its compact form with sensitive values
 * redacted, while the few fields the recorder indexes are picked up on the way. What it accepts, extracts and writes
 * is what reading a tree, redacting it and writing it again did, byte for byte
 * ({@code SessionEventParserEquivalenceTest}).
 */
public final class SessionEventParser {

    /** Session ids become object keys and file names: no path separators, no surprises. */
    static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** seq values above this cannot be represented exactly by every JSON reader. */
    static final long MAX_SEQ = (1L << 53) - 1;

    private static final Pattern DIGITS = Pattern.compile("\\d{1,16}");
    private static final String DATA = EventCopy.DATA;

    private final int maxBytes;

    public SessionEventParser(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Either {@code event} or {@code rejection} is set. */
    public record Result(SessionEvent event, Rejection rejection, int redacted) {
        static Result reject(String reason, String detail) {
            return new Result(null, new Rejection(reason, detail), 0);
        }
    }

    public Result parse(byte[] value) {
        if (value == null || value.length == 0) {
            return Result.reject(Rejection.MALFORMED, "empty value");
        }
        if (value.length > maxBytes) {
            return Result.reject(Rejection.TOO_LARGE, value.length + " bytes > limit " + maxBytes);
        }
        EventCopy.Copied copied;
        try {
            copied = EventCopy.copy(value);
        } catch (JsonProcessingException e) {
            return Result.reject(Rejection.MALFORMED, e.getOriginalMessage());
        } catch (IOException e) {
            return Result.reject(Rejection.MALFORMED, e.getMessage());
        }
        if (copied == null) {
            return Result.reject(Rejection.MALFORMED, "not a JSON object");
        }
        Obj root = copied.root();
        byte[] json = copied.json();
        Obj data = root.get(DATA) instanceof Obj d ? d : root;

        String type = text(root, data, "type");
        var eventType = SessionEventType.fromWire(type);
        if (type == null) {
            return Result.reject(Rejection.MISSING_FIELD, "type");
        }
        if (eventType.isEmpty()) {
            return Result.reject(Rejection.UNKNOWN_TYPE, truncate(type));
        }
        // absent: written before the marker, read as v1; v2 embeds decisions in requests; another version is one
        // this build cannot read
        Object schema = root.get(CloudEvent.Attr.DATASCHEMA);
        if (schema != null
                && !(schema instanceof Scalar s && s.isNull())
                && !(schema instanceof Scalar s2 && s2.isTextual() && CloudEvent.readableSessionEvent(s2.text()))) {
            return Result.reject(Rejection.INVALID_FIELD, "dataschema " + truncate(asText(schema)));
        }
        boolean v2 = schema instanceof Scalar s && s.isTextual() && CloudEvent.DATASCHEMA_SESSION_V2.equals(s.text());
        String sessionId = text(root, data, "session_id");
        if (sessionId == null) {
            sessionId = text(root, data, "sessionId");
        }
        if (sessionId == null) {
            return Result.reject(Rejection.MISSING_FIELD, "session_id");
        }
        if (!isSessionId(sessionId)) {
            return Result.reject(Rejection.INVALID_FIELD, "session_id");
        }
        Object seqNode = pick(root, data, "seq");
        if (seqNode == null) {
            return Result.reject(Rejection.MISSING_FIELD, "seq");
        }
        long seq;
        if (seqNode instanceof Scalar s && s.longValue() != null) {
            seq = s.longValue();
        } else if (seqNode instanceof Scalar s
                && s.isTextual()
                && DIGITS.matcher(s.text()).matches()) {
            seq = Long.parseLong(s.text());
        } else {
            return Result.reject(Rejection.INVALID_FIELD, "seq");
        }
        if (seq < 0 || seq > MAX_SEQ) {
            return Result.reject(Rejection.INVALID_FIELD, "seq out of range");
        }
        Instant time = null;
        String t = text(root, data, "time");
        if (t != null) {
            try {
                time = Timestamps.parse(t);
            } catch (DateTimeParseException e) {
                return Result.reject(Rejection.INVALID_FIELD, "time");
            }
        }

        String agent = nameOf(pick(root, data, "agent"), "id", "name");
        Object conn = pick(root, data, "connection");
        String connection = nameOf(conn, "name", "id");
        String protocol = text(root, data, "protocol");
        if (protocol == null && conn instanceof Obj c) {
            protocol = c.get("type") instanceof Scalar s && s.isTextual() ? s.text() : null;
        }
        Map<String, String> tags = tags(conn instanceof Obj c ? c.get("tags") : null);
        if (tags.isEmpty()) {
            tags = tags(pick(root, data, "connection_tags"));
        }
        String action = null;
        if (eventType.get() == SessionEventType.DECISION) {
            action = decisionAction(data);
        } else if (eventType.get() == SessionEventType.REQUEST && v2) {
            action = embeddedAction(data.get(SessionEventFields.DECISION));
        }
        return new Result(
                new SessionEvent(
                        sessionId,
                        seq,
                        eventType.get(),
                        time,
                        limit(agent),
                        limit(connection),
                        protocol == null ? null : limit(protocol.toLowerCase(Locale.ROOT)),
                        tags,
                        action,
                        json),
                null,
                copied.redacted());
    }

    /**
     * {@link #SESSION_ID} without the regex engine (a tenth of the parse in the profile): the same ASCII class, the
     * same length limit.
     */
    static boolean isSessionId(String s) {
        int n = s.length();
        if (n == 0 || n > 128 || !alnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = s.charAt(i);
            if (!alnum(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * The decision's action; a review's own lifecycle events (the proxy's {@code session.decision}
     * with a {@code state}: waiting, approved, denied, expired) become {@code review.<state>}, so
     * a held request is counted once as reviewed and, if refused, once as denied.
     */
    private static String decisionAction(Obj data) {
        Object state = data.get("state");
        Object reviewId = data.get("review_id");
        if (state instanceof Scalar s
                && s.isTextual()
                && reviewId != null
                && !(reviewId instanceof Scalar r && r.isNull())) {
            return "review." + s.text().toLowerCase(Locale.ROOT);
        }
        // the paths /action, /decision/action, /result/action, /decision, in that order
        Object decision = data.get(SessionEventFields.DECISION);
        Object result = data.get("result");
        for (Object n : new Object[] {
            data.get("action"),
            decision instanceof Obj d ? d.get("action") : null,
            result instanceof Obj r ? r.get("action") : null,
            decision
        }) {
            if (n instanceof Scalar s && s.isTextual()) {
                return s.text().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /**
     * The action of the decision a v2 {@code session.request} carries (docs/architecture.md "Event types"): the
     * policy's own action, as its {@code session.decision} would have said. A held request's embedded decision is
     * {@code review} with {@code state: waiting}: it stands for both v1 events (the policy's {@code review} and the
     * hold's {@code review.waiting}), so it is counted once as reviewed; the review's outcome comes later as a
     * {@code session.decision} ({@code review.denied}/{@code review.expired} count as a denial).
     */
    private static String embeddedAction(Object decision) {
        if (!(decision instanceof Obj d)) {
            return null;
        }
        return d.get(SessionEventFields.ACTION) instanceof Scalar s && s.isTextual()
                ? s.text().toLowerCase(Locale.ROOT)
                : null;
    }

    /** The field in {@code data}, else in the envelope; a JSON null counts as absent. */
    private static Object pick(Obj root, Obj data, String field) {
        Object n = data.get(field);
        if (n == null || n instanceof Scalar s && s.isNull()) {
            n = root.get(field);
        }
        return n == null || n instanceof Scalar s && s.isNull() ? null : n;
    }

    private static String text(Obj root, Obj data, String field) {
        return pick(root, data, field) instanceof Scalar s ? s.text() : null;
    }

    private static String asText(Object n) {
        return n instanceof Scalar s ? s.text() : "";
    }

    private static String nameOf(Object n, String... fields) {
        if (n instanceof Scalar s) {
            return s.text();
        }
        if (n instanceof Obj o) {
            for (String f : fields) {
                if (o.get(f) instanceof Scalar s) {
                    return s.text();
                }
            }
        }
        return null;
    }

    private static Map<String, String> tags(Object n) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (n instanceof Obj o) {
            o.fields.forEach((k, v) -> {
                if (v instanceof Scalar s) {
                    tags.put(limit(k), limit(s.text()));
                }
            });
        }
        return tags;
    }

    private static String limit(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200);
    }

    private static String truncate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
