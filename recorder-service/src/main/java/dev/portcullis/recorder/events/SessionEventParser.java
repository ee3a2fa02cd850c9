package dev.portcullis.recorder.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.portcullis.contracts.detect.SensitiveKeys;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.SessionEventFields;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reads a session event, CloudEvents-style ({@code {"specversion":…,"type":…,"data":{…}}}) or flat
 * (every field at the top level). Tolerant of unknown fields; strict about what the recorder relies
 * on: session id, seq, type, and a {@code dataschema} it can read (contracts' {@link CloudEvent}).
 *
 * <p>One streaming pass, no JSON tree (the tree and its re-serialisation were a third of the recorder's ingest CPU,
 * README "Lag"): the event is copied token by token to its compact form with sensitive values redacted, while the
 * few fields the recorder indexes are picked up on the way. What it accepts, extracts and writes is what reading a
 * tree, redacting it and writing it again did, byte for byte ({@code SessionEventParserEquivalenceTest}).
 */
public final class SessionEventParser {

    /** Session ids become object keys and file names: no path separators, no surprises. */
    static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** seq values above this cannot be represented exactly by every JSON reader. */
    static final long MAX_SEQ = (1L << 53) - 1;

    private static final Pattern DIGITS = Pattern.compile("\\d{1,16}");
    private static final String DATA = "data";

    /**
     * Fields of the envelope or its {@code data} the recorder reads; objects under them are captured one level
     * down (and a connection's {@code tags} one more).
     */
    private static final Set<String> INDEXED = Set.of(
            "type",
            "session_id",
            "sessionId",
            "seq",
            "time",
            "agent",
            "connection",
            "protocol",
            "connection_tags",
            "state",
            "review_id",
            "action",
            SessionEventFields.DECISION,
            "result",
            CloudEvent.Attr.DATASCHEMA);

    /** Keys seen and whether they are sensitive: the proxy's few dozen names, so no scan per field. Bounded. */
    private static final int SENSITIVE_CACHE_MAX = 4096;

    private static final Map<String, Boolean> SENSITIVE = new ConcurrentHashMap<>();

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

    /** A scalar as a tree's value node would read: {@code text} is its {@code asText()}. */
    private record Scalar(JsonToken token, String text, Long longValue) {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isTextual() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    /** A container captured while copying: its scalar fields and (one level) its objects, in order. */
    private static final class Obj {
        final Map<String, Object> fields = new LinkedHashMap<>();

        Object get(String name) {
            return fields.get(name);
        }
    }

    /** Marks an array (a container the recorder never reads into). */
    private static final Object ARRAY = new Object();

    private static final int ROOT = 0;
    private static final int DATA_LEVEL = 1;
    private static final int SUB = 2;
    private static final int TAGS = 3;

    public Result parse(byte[] value) {
        if (value == null || value.length == 0) {
            return Result.reject(Rejection.MALFORMED, "empty value");
        }
        if (value.length > maxBytes) {
            return Result.reject(Rejection.TOO_LARGE, value.length + " bytes > limit " + maxBytes);
        }
        int[] redacted = {0};
        Obj root = null;
        byte[] json = null;
        try {
            if (mayBeAsWritten(value)) {
                // the proxy's events are compact already: read them without writing them again, and keep their bytes
                root = new Obj();
                if (walk(value, null, root, redacted)) {
                    json = value;
                }
            }
            if (json == null) {
                root = new Obj();
                redacted[0] = 0;
                ByteArrayBuilder buffer = new ByteArrayBuilder(value.length + 16);
                try (JsonGenerator g = JsonSupport.MAPPER.createGenerator(buffer)) {
                    if (!walk(value, g, root, redacted)) {
                        return Result.reject(Rejection.MALFORMED, "not a JSON object");
                    }
                }
                json = buffer.toByteArray();
            }
        } catch (JsonProcessingException e) {
            return Result.reject(Rejection.MALFORMED, e.getOriginalMessage());
        } catch (IOException e) {
            return Result.reject(Rejection.MALFORMED, e.getMessage());
        }
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
                redacted[0]);
    }

    /**
     * Reads the event, capturing into {@code root}, and copies it to {@code g} (null: reads only). False: not a JSON
     * object, or (reading only) not as a copy would write it.
     */
    private static boolean walk(byte[] value, JsonGenerator g, Obj root, int[] redacted) throws IOException {
        try (JsonParser p = JsonSupport.MAPPER.createParser(value)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first == JsonToken.START_ARRAY) {
                    p.skipChildren(); // a malformed array is reported as malformed, as a full read would
                }
                return false;
            }
            if (g != null) {
                g.writeStartObject();
            }
            try {
                copyObject(p, g, root, ROOT, redacted);
            } catch (IOException e) {
                if (e == NOT_AS_WRITTEN) {
                    return false;
                }
                throw e;
            }
            // anything after the object (a reader ignores it) would stay in the kept bytes
            return g != null || p.currentLocation().getByteOffset() == value.length;
        }
    }

    /**
     * Copies the object whose START_OBJECT the parser is on (already written) to its end; captures into
     * {@code into} (null: nothing) what {@code level} asks for; redacts scalar values under sensitive keys. Without a
     * generator ({@code g} null) it only reads, and throws {@link #NOT_AS_WRITTEN} at the first thing a copy would
     * change (a value to redact, a number written otherwise).
     */
    private static void copyObject(JsonParser p, JsonGenerator g, Obj into, int level, int[] redacted)
            throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (g != null) {
                g.writeFieldName(name);
            }
            JsonToken v = p.nextToken();
            if (v == null) {
                throw new JsonParseException(p, "unexpected end of input");
            }
            boolean capture = into != null
                    && switch (level) {
                        case ROOT -> INDEXED.contains(name) || DATA.equals(name);
                        case DATA_LEVEL -> INDEXED.contains(name);
                        default -> true; // SUB and TAGS: every field
                    };
            if (v == JsonToken.START_OBJECT) {
                Obj child = null;
                int childLevel = SUB;
                if (capture) {
                    if (level == ROOT && DATA.equals(name)) {
                        childLevel = DATA_LEVEL;
                        child = new Obj();
                    } else if (level == ROOT || level == DATA_LEVEL) {
                        child = new Obj();
                    } else if (level == SUB && "tags".equals(name)) {
                        childLevel = TAGS;
                        child = new Obj();
                    }
                    if (child != null) {
                        into.fields.put(name, child);
                    }
                }
                if (g != null) {
                    g.writeStartObject();
                }
                copyObject(p, g, child, childLevel, redacted);
            } else if (v == JsonToken.START_ARRAY) {
                if (capture) {
                    into.fields.put(name, ARRAY);
                }
                if (g != null) {
                    g.writeStartArray();
                }
                copyArray(p, g, redacted);
            } else {
                if (capture) {
                    into.fields.put(name, scalar(p, v));
                }
                if (v != JsonToken.VALUE_NULL && isSensitive(name)) {
                    if (g == null) {
                        throw NOT_AS_WRITTEN;
                    }
                    if (!(v == JsonToken.VALUE_STRING && JsonSupport.REDACTED.equals(p.getText()))) {
                        redacted[0]++;
                    }
                    g.writeString(JsonSupport.REDACTED);
                } else {
                    copyScalar(p, g, v);
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new JsonParseException(p, "unexpected end of input");
        }
        if (g != null) {
            g.writeEndObject();
        }
    }

    /** Copies the array whose START_ARRAY the parser is on (already written); objects in it are redacted too. */
    private static void copyArray(JsonParser p, JsonGenerator g, int[] redacted) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                if (g != null) {
                    g.writeStartObject();
                }
                copyObject(p, g, null, SUB, redacted);
            } else if (t == JsonToken.START_ARRAY) {
                if (g != null) {
                    g.writeStartArray();
                }
                copyArray(p, g, redacted);
            } else if (t == null) {
                throw new JsonParseException(p, "unexpected end of input");
            } else {
                copyScalar(p, g, t);
            }
        }
        if (g != null) {
            g.writeEndArray();
        }
    }

    /**
     * Writes a scalar as a tree would have (numbers exact: 1.50 stays 1.50); without a generator, checks that the
     * input already has that form. Strings need no check: {@link #mayBeAsWritten} let through only ASCII without
     * escapes, which a generator writes back byte for byte; a string's content is not even decoded then.
     */
    private static void copyScalar(JsonParser p, JsonGenerator g, JsonToken v) throws IOException {
        if (g != null) {
            g.copyCurrentEventExact(p);
        } else if (v == JsonToken.VALUE_NUMBER_INT) {
            // JSON integers have no leading zeros or '+': only -0 is written otherwise (as 0)
            if (p.getTextLength() == 2 && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() == 0) {
                throw NOT_AS_WRITTEN;
            }
        } else if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            if (!p.getDecimalValue().toString().equals(p.getText())) {
                throw NOT_AS_WRITTEN; // 1e3 is written 1E+3, -0.0 as 0.0
            }
        }
    }

    /**
     * Whether the event may be exactly what copying it would write, so that its bytes can be kept as they are: ASCII
     * only, no backslash (no escape a generator could write otherwise), no whitespace outside strings. The walk
     * then checks numbers, sensitive keys and trailing bytes. A single pass over the bytes, no decoding.
     */
    static boolean mayBeAsWritten(byte[] json) {
        boolean inString = false;
        for (byte b : json) {
            if (b < 0x21 || b == '\\' || b == 0x7f) {
                // non-ASCII (negative), control characters, space, backslash, DEL
                if (b == ' ' && inString) {
                    continue;
                }
                return false;
            }
            if (b == '"') {
                inString = !inString;
            }
        }
        return !inString;
    }

    /** Thrown by the read-only walk: the event is not as a copy would write it. No stack trace: it is control flow. */
    private static final IOException NOT_AS_WRITTEN = new NotAsWritten();

    private static final class NotAsWritten extends IOException {
        private static final long serialVersionUID = 1L;

        NotAsWritten() {
            super("not as written");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // one shared instance, thrown as control flow
        }
    }

    private static Scalar scalar(JsonParser p, JsonToken v) throws IOException {
        return switch (v) {
            case VALUE_STRING -> new Scalar(v, p.getText(), null);
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    yield new Scalar(v, p.getBigIntegerValue().toString(), null);
                }
                long l = p.getLongValue();
                yield new Scalar(v, Long.toString(l), l);
            }
            // as a tree keeps it (USE_BIG_DECIMAL_FOR_FLOATS): 1.50 stays 1.50
            case VALUE_NUMBER_FLOAT -> new Scalar(v, p.getDecimalValue().toString(), null);
            case VALUE_TRUE -> new Scalar(v, "true", null);
            case VALUE_FALSE -> new Scalar(v, "false", null);
            default -> new Scalar(JsonToken.VALUE_NULL, "null", null);
        };
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

    static boolean isSensitive(String key) {
        Boolean known = SENSITIVE.get(key);
        if (known != null) {
            return known;
        }
        boolean sensitive = SensitiveKeys.isSensitive(key);
        if (SENSITIVE.size() < SENSITIVE_CACHE_MAX) {
            SENSITIVE.put(key, sensitive);
        }
        return sensitive;
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
