package dev.portcullis.recorder.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.SessionEventFields;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The session-event reader the recorder used before its streaming one (a Jackson tree, redacted, written again):
 * kept as the reference {@code SessionEventParserEquivalenceTest} compares {@link SessionEventParser} with.
 */
final class TreeSessionEventParser {

    /** Session ids become object keys and file names: no path separators, no surprises. */
    static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** seq values above this cannot be represented exactly by every JSON reader. */
    static final long MAX_SEQ = (1L << 53) - 1;

    private final int maxBytes;

    TreeSessionEventParser(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Either {@code event} or {@code rejection} is set. */
    record Result(SessionEvent event, Rejection rejection, int redacted) {
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
        JsonNode root;
        try {
            root = JsonSupport.MAPPER.readTree(value);
        } catch (JsonProcessingException e) {
            return Result.reject(Rejection.MALFORMED, e.getOriginalMessage());
        } catch (IOException e) {
            return Result.reject(Rejection.MALFORMED, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return Result.reject(Rejection.MALFORMED, "not a JSON object");
        }
        JsonNode data = root.path("data").isObject() ? root.get("data") : root;

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
        JsonNode schema = root.get(CloudEvent.Attr.DATASCHEMA);
        if (schema != null
                && !schema.isNull()
                && !(schema.isTextual() && CloudEvent.readableSessionEvent(schema.textValue()))) {
            return Result.reject(Rejection.INVALID_FIELD, "dataschema " + truncate(schema.asText()));
        }
        boolean v2 = schema != null && CloudEvent.DATASCHEMA_SESSION_V2.equals(schema.textValue());
        String sessionId = text(root, data, "session_id");
        if (sessionId == null) {
            sessionId = text(root, data, "sessionId");
        }
        if (sessionId == null) {
            return Result.reject(Rejection.MISSING_FIELD, "session_id");
        }
        if (!SESSION_ID.matcher(sessionId).matches()) {
            return Result.reject(Rejection.INVALID_FIELD, "session_id");
        }
        JsonNode seqNode = pick(root, data, "seq");
        if (seqNode == null) {
            return Result.reject(Rejection.MISSING_FIELD, "seq");
        }
        long seq;
        if (seqNode.isIntegralNumber() && seqNode.canConvertToLong()) {
            seq = seqNode.longValue();
        } else if (seqNode.isTextual() && seqNode.textValue().matches("\\d{1,16}")) {
            seq = Long.parseLong(seqNode.textValue());
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
        JsonNode conn = pick(root, data, "connection");
        String connection = nameOf(conn, "name", "id");
        String protocol = text(root, data, "protocol");
        if (protocol == null && conn != null && conn.isObject()) {
            protocol = conn.path("type").isTextual() ? conn.get("type").textValue() : null;
        }
        Map<String, String> tags = tags(conn != null && conn.isObject() ? conn.get("tags") : null);
        if (tags.isEmpty()) {
            tags = tags(pick(root, data, "connection_tags"));
        }
        String action = null;
        if (eventType.get() == SessionEventType.DECISION) {
            action = decisionAction(data);
        } else if (eventType.get() == SessionEventType.REQUEST && v2) {
            action = embeddedAction(data.get(SessionEventFields.DECISION));
        }
        int redacted = JsonSupport.redact(root);
        byte[] json;
        try {
            json = JsonSupport.MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            return Result.reject(Rejection.MALFORMED, e.getOriginalMessage());
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
                redacted);
    }

    /**
     * The decision's action; a review's own lifecycle events (the proxy's {@code session.decision}
     * with a {@code state}: waiting, approved, denied, expired) become {@code review.<state>}, so
     * a held request is counted once as reviewed and, if refused, once as denied.
     */
    private static String decisionAction(JsonNode data) {
        JsonNode state = data.get("state");
        if (state != null && state.isTextual() && data.hasNonNull("review_id")) {
            return "review." + state.textValue().toLowerCase(Locale.ROOT);
        }
        for (String path : new String[] {"/action", "/decision/action", "/result/action", "/decision"}) {
            JsonNode n = data.at(path);
            if (n.isTextual()) {
                return n.textValue().toLowerCase(Locale.ROOT);
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
    private static String embeddedAction(JsonNode decision) {
        if (decision == null || !decision.isObject()) {
            return null;
        }
        JsonNode action = decision.get(SessionEventFields.ACTION);
        return action != null && action.isTextual() ? action.textValue().toLowerCase(Locale.ROOT) : null;
    }

    private static JsonNode pick(JsonNode root, JsonNode data, String field) {
        JsonNode n = data.get(field);
        if (n == null || n.isNull()) {
            n = root.get(field);
        }
        return n == null || n.isNull() ? null : n;
    }

    private static String text(JsonNode root, JsonNode data, String field) {
        JsonNode n = pick(root, data, field);
        if (n == null) {
            return null;
        }
        return n.isValueNode() ? n.asText() : null;
    }

    private static String nameOf(JsonNode n, String... fields) {
        if (n == null) {
            return null;
        }
        if (n.isValueNode()) {
            return n.asText();
        }
        for (String f : fields) {
            if (n.path(f).isValueNode() && !n.path(f).isMissingNode()) {
                return n.get(f).asText();
            }
        }
        return null;
    }

    private static Map<String, String> tags(JsonNode n) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> {
                if (e.getValue().isValueNode()) {
                    tags.put(limit(e.getKey()), limit(e.getValue().asText()));
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
