package dev.portcullis.proxy.pg.sql;

import java.nio.charset.StandardCharsets;

/**
 * Identifier names as PostgreSQL resolves them: unquoted ones lower-cased in ASCII only
 * ({@code downcase_identifier}), quoted ones with doubled quotes undone, {@code U&""} escapes decoded
 * ({@code str_udeescape} in {@code parser.c}), and every name truncated to NAMEDATALEN - 1 = 63 bytes
 * at a character boundary ({@code truncate_identifier}).
 */
final class SqlNames {

    private static final int MAX_NAME_BYTES = 63;

    private SqlNames() {}

    /** An unquoted identifier: ASCII letters lower-cased, everything else kept. */
    static String folded(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return truncated(sb == null ? text : sb.toString());
    }

    /** A {@code "..."} identifier's text, quotes included: its name. */
    static String delimited(String text) {
        return truncated(text.substring(1, text.length() - 1).replace("\"\"", "\""));
    }

    /**
     * A {@code U&"..."} identifier's text, {@code U&} and quotes included, decoded with the escape
     * char ({@code \} unless a UESCAPE clause gave another); {@code null} where PostgreSQL reports
     * an invalid escape.
     */
    static String unicodeDelimited(String text, char escape) {
        String body = text.substring(3, text.length() - 1).replace("\"\"", "\"");
        StringBuilder sb = new StringBuilder(body.length());
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c != escape) {
                sb.append(c);
                i++;
                continue;
            }
            int cp;
            if (i + 1 < body.length() && body.charAt(i + 1) == escape) {
                sb.append(escape);
                i += 2;
                continue;
            } else if (hex(body, i + 1, 4) >= 0) {
                cp = hex(body, i + 1, 4);
                i += 5;
            } else if (i + 1 < body.length() && body.charAt(i + 1) == '+' && hex(body, i + 2, 6) >= 0) {
                cp = hex(body, i + 2, 6);
                i += 8;
            } else {
                return null;
            }
            if (Character.isHighSurrogate((char) cp) && cp <= 0xFFFF) {
                // a surrogate pair must follow as a second escape
                int low = -1;
                if (i < body.length() && body.charAt(i) == escape) {
                    if (hex(body, i + 1, 4) >= 0) {
                        low = hex(body, i + 1, 4);
                        i += 5;
                    } else if (i + 1 < body.length() && body.charAt(i + 1) == '+' && hex(body, i + 2, 6) >= 0) {
                        low = hex(body, i + 2, 6);
                        i += 8;
                    }
                }
                if (low < 0 || low > 0xFFFF || !Character.isLowSurrogate((char) low)) {
                    return null;
                }
                cp = Character.toCodePoint((char) cp, (char) low);
            } else if (cp == 0 || cp > Character.MAX_CODE_POINT || cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
                return null;
            }
            sb.appendCodePoint(cp);
        }
        return truncated(sb.toString());
    }

    /** The value of {@code digits} hex digits at {@code from}, or -1. */
    private static int hex(String s, int from, int digits) {
        if (from + digits > s.length()) {
            return -1;
        }
        int v = 0;
        for (int i = from; i < from + digits; i++) {
            char c = s.charAt(i);
            int d = c < 0x80 ? Character.digit(c, 16) : -1;
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** Cut to at most 63 UTF-8 bytes without splitting a character, as PostgreSQL does (with a NOTICE). */
    static String truncated(String name) {
        if (name.length() * 3 <= MAX_NAME_BYTES || name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return name;
        }
        int bytes = 0;
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > MAX_NAME_BYTES) {
                break;
            }
            bytes += len;
            i += Character.charCount(cp);
        }
        return name.substring(0, i);
    }
}
