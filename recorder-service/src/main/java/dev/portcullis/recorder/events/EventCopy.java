package dev.portcullis.recorder.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.portcullis.contracts.detect.SensitiveKeys;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.SessionEventFields;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streaming half of {@link SessionEventParser}: one pass over an event that copies it to its recorded form
 * (compact, sensitive values redacted, numbers exact) and picks up on the way the fields the recorder indexes, so
 * that no JSON tree is built (README "Lag").
 */
final class EventCopy {

    static final String DATA = "data";

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

    /** A scalar as a tree's value node would read: {@code text} is its {@code asText()}. */
    record Scalar(JsonToken token, String text, Long longValue) {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isTextual() {
            return token == JsonToken.VALUE_STRING;
        }
    }

    /** A container captured while copying: its scalar fields and (one level) its objects, in order. */
    static final class Obj {
        final Map<String, Object> fields = new LinkedHashMap<>();

        Object get(String name) {
            return fields.get(name);
        }
    }

    /** Marks an array (a container the recorder never reads into). */
    static final Object ARRAY = new Object();

    private static final int ROOT = 0;
    private static final int DATA_LEVEL = 1;
    private static final int SUB = 2;
    private static final int TAGS = 3;

    /** An event read: what it says ({@code root}) and what is recorded ({@code json}). */
    record Copied(Obj root, byte[] json, int redacted) {}

    /**
     * Reads an event and makes its recorded form: the bytes received when they are already that form
     * ({@link #mayBeAsWritten} and a read-only walk), else a copy. Null: not a JSON object.
     */
    static Copied copy(byte[] value) throws IOException {
        int[] redacted = {0};
        if (mayBeAsWritten(value)) {
            // the proxy's events are compact already: read them without writing them again, and keep their bytes
            Obj root = new Obj();
            if (walk(value, null, root, redacted)) {
                return new Copied(root, value, 0);
            }
        }
        Obj root = new Obj();
        redacted[0] = 0;
        ByteArrayBuilder buffer = new ByteArrayBuilder(value.length + 16);
        try (JsonGenerator g = JsonSupport.MAPPER.createGenerator(buffer)) {
            if (!walk(value, g, root, redacted)) {
                return null;
            }
        }
        return new Copied(root, buffer.toByteArray(), redacted[0]);
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

    private EventCopy() {}
}
