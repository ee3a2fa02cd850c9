package dev.portcullis.contracts.recording;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of the seal's JSON (objects, arrays, strings, integers, booleans, null), so the offline verifier
 * runs on the JDK alone. It reads only a seal whose line hash the signature already vouched for, i.e. bytes the
 * recorder wrote; anything unexpected is an error, never guessed at.
 */
final class SealJson {

    private final String s;
    private int i;

    private SealJson(String s) {
        this.s = s;
    }

    /** The object in {@code text}; throws IllegalArgumentException for anything else or trailing text. */
    static Map<String, Object> object(String text) {
        SealJson p = new SealJson(text);
        Object v = p.value(0);
        if (p.i != text.length() || !(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("not one JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private Object value(int depth) {
        if (depth > 8 || i >= s.length()) {
            throw new IllegalArgumentException("bad JSON at " + i);
        }
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                i++;
                Map<String, Object> m = new LinkedHashMap<>();
                if (peek('}')) {
                    return m;
                }
                do {
                    String k = string();
                    expect(':');
                    if (m.put(k, value(depth + 1)) != null) {
                        throw new IllegalArgumentException("duplicate key " + k);
                    }
                } while (peek(','));
                expect('}');
                return m;
            }
            case '[' -> {
                i++;
                List<Object> l = new ArrayList<>();
                if (peek(']')) {
                    return l;
                }
                do {
                    l.add(value(depth + 1));
                } while (peek(','));
                expect(']');
                return l;
            }
            case '"' -> {
                return string();
            }
            default -> {
                if (s.startsWith("true", i)) {
                    i += 4;
                    return Boolean.TRUE;
                }
                if (s.startsWith("false", i)) {
                    i += 5;
                    return Boolean.FALSE;
                }
                if (s.startsWith("null", i)) {
                    i += 4;
                    return null;
                }
                int start = i;
                if (c == '-') {
                    i++;
                }
                while (i < s.length() && Character.isDigit(s.charAt(i)) && i - start < 19) {
                    i++;
                }
                if (i == start || (c == '-' && i == start + 1)) {
                    throw new IllegalArgumentException("bad JSON at " + start);
                }
                return Long.parseLong(s.substring(start, i));
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c == '\\') {
                if (i >= s.length()) {
                    break;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw new IllegalArgumentException("bad escape");
                        }
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape");
                }
            } else if (c < 0x20) {
                throw new IllegalArgumentException("control character in a string");
            } else {
                b.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i);
        }
    }
}
