package dev.portcullis.it.journey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A downloaded PostgreSQL session recording (JSON Lines), checked here independently of the
 * recorder's own verifier, by the algorithm recorder-service/README.md documents: each line's
 * {@code hash} is the SHA-256 (hex) of the line's UTF-8 bytes before {@code ,"hash":"}; its
 * {@code prev} is the previous line's hash (64 zeros for the first); then the seal, and last the
 * recorder's signature over the seal's hash (checked by the recorder's and the offline verifier,
 * docs/architecture.md "Recordings"; here only that it names the seal).
 */
final class Recording {

    static final String GENESIS = "0".repeat(64);
    private static final String HASH_FIELD = ",\"hash\":\"";

    /** One event line: its seq and the event as the proxy published it. */
    record Line(long seq, JsonNode event) {

        String type() {
            return event.path("type").asText();
        }

        JsonNode data() {
            return event.path("data");
        }
    }

    final byte[] bytes;
    final String sha256;
    final List<Line> lines = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    JsonNode seal;
    JsonNode signature;
    String chainHead = GENESIS;

    private Recording(byte[] bytes) {
        this.bytes = bytes;
        this.sha256 = sha256Hex(bytes);
    }

    static Recording parse(byte[] bytes) {
        Recording r = new Recording(bytes);
        r.check();
        return r;
    }

    private void check() {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (!text.endsWith("\n")) {
            problems.add("the file does not end with a newline");
        }
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (seal != null && signature == null && line.startsWith("{\"signature\":")) {
                try {
                    signature = Http.JSON.readTree(line).path("signature");
                } catch (IOException e) {
                    problems.add("line " + n + ": signature is not JSON");
                    continue;
                }
                if (!chainHead.equals(signature.path("seal").asText())) {
                    problems.add("line " + n + ": the signature does not name the seal's hash");
                }
                continue;
            }
            if (signature != null) {
                problems.add("line " + n + ": a line after the signature");
                continue;
            }
            int cut = line.lastIndexOf(HASH_FIELD);
            if (cut < 0 || !line.endsWith("\"}") || line.length() - cut != HASH_FIELD.length() + 64 + 2) {
                problems.add("line " + n + ": no hash field at its end");
                continue;
            }
            String prefix = line.substring(0, cut);
            String hash = line.substring(cut + HASH_FIELD.length(), line.length() - 2);
            if (!sha256Hex(prefix.getBytes(StandardCharsets.UTF_8)).equals(hash)) {
                problems.add("line " + n + ": hash does not match the line");
            }
            JsonNode node;
            try {
                node = Http.JSON.readTree(prefix + "}");
            } catch (IOException e) {
                problems.add("line " + n + ": not JSON");
                continue;
            }
            if (!chainHead.equals(node.path("prev").asText())) {
                problems.add("line " + n + ": prev does not name the previous line's hash");
            }
            chainHead = hash;
            if (seal != null) {
                problems.add("line " + n + ": a line after the seal");
            }
            if (node.has("seal")) {
                seal = node.get("seal");
            } else {
                lines.add(new Line(node.path("seq").asLong(-1), node.path("event")));
            }
        }
        if (seal == null) {
            problems.add("no seal: the file is truncated");
        } else if (signature == null) {
            problems.add("no signature after the seal");
        }
    }

    /** Lines of one event type, in file order. */
    List<Line> ofType(String type) {
        return lines.stream().filter(l -> l.type().equals(type)).toList();
    }

    /**
     * Every decision the proxy recorded for the request at {@code requestSeq}, in order, as the decision's fields: the
     * one a v2 {@code session.request} carries ({@code data.decision}), then each {@code session.decision} answering it
     * (a review's waiting and final states; a v1 recording has only these).
     */
    List<JsonNode> decisions(long requestSeq) {
        List<JsonNode> found = new ArrayList<>();
        for (Line l : lines) {
            if (l.seq() == requestSeq
                    && l.type().equals(EventTypes.SESSION_REQUEST)
                    && l.data().path(SessionEventFields.DECISION).isObject()) {
                found.add(l.data().path(SessionEventFields.DECISION));
            } else if (l.type().equals(EventTypes.SESSION_DECISION)
                    && l.data().path(SessionEventFields.REQUEST_SEQ).asLong(-1) == requestSeq) {
                found.add(l.data());
            }
        }
        return found;
    }

    /** The decision the proxy recorded for the request at {@code requestSeq} (the last one, after a review). */
    Optional<JsonNode> finalDecision(long requestSeq) {
        List<JsonNode> all = decisions(requestSeq);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
