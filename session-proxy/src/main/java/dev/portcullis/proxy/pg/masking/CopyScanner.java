package dev.portcullis.proxy.pg.masking;

/**
 * Reads the head of a COPY statement token by token, as PostgreSQL's scanner would: whitespace and both comment
 * forms (a {@code --} comment ends at {@code \n} or {@code \r}, block comments nest), quoted identifiers, string
 * constants ({@code ''}, {@code E''}), dollar quotes. Anything it does not understand throws
 * {@link IllegalArgumentException}, and the COPY is then treated as unreadable.
 */
final class CopyScanner {

    private final String s;
    private int i;

    CopyScanner(String s) {
        this.s = s;
    }

    int pos() {
        skipSpace();
        return i;
    }

    /** The next character after whitespace and comments, or 0 at the end. */
    char peek() {
        skipSpace();
        return i < s.length() ? s.charAt(i) : 0;
    }

    boolean accept(char c) {
        if (peek() == c) {
            i++;
            return true;
        }
        return false;
    }

    void expect(char c) {
        if (!accept(c)) {
            throw new IllegalArgumentException("expected " + c);
        }
    }

    /** The next unquoted word, folded; null when the next token is not one (nothing is consumed then). */
    String word() {
        skipSpace();
        if (i >= s.length() || !identStart(s.charAt(i)) || isUnicodeIdentifier()) {
            return null;
        }
        int start = i;
        while (i < s.length() && identChar(s.charAt(i))) {
            i++;
        }
        return CopyGuard.fold(s.substring(start, i));
    }

    /** The next identifier: quoted (as written) or unquoted (folded). */
    String name() {
        skipSpace();
        if (i < s.length() && s.charAt(i) == '"') {
            return quotedIdentifier();
        }
        String w = word();
        if (w == null) {
            throw new IllegalArgumentException("expected a name");
        }
        return w;
    }

    /** At '(': skips to after the matching ')', over strings, quoted names, dollar quotes and comments. */
    int skipParenthesised() {
        expect('(');
        int depth = 1;
        while (depth > 0) {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unbalanced parentheses");
            }
            if (skipSpaceOrToken()) {
                continue;
            }
            char c = s.charAt(i++);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
        }
        return i;
    }

    /** Whether the rest of the statement holds {@code w} as a word or a string constant (any case). */
    boolean restHasWord(String w) {
        while (true) {
            skipSpace();
            if (i >= s.length()) {
                return false;
            }
            char c = s.charAt(i);
            if (c == '\'' || ((c == 'e' || c == 'E') && i + 1 < s.length() && s.charAt(i + 1) == '\'')) {
                if (w.equalsIgnoreCase(string())) {
                    return true;
                }
            } else if (identStart(c)) {
                String word = word();
                if (word == null) {
                    throw new IllegalArgumentException("unsupported token");
                }
                if (w.equalsIgnoreCase(word)) {
                    return true;
                }
            } else if (!skipSpaceOrToken()) {
                i++;
            }
        }
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-') {
                while (i < s.length() && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                    i++;
                }
            } else if (c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int depth = 0;
                do {
                    if (i + 1 >= s.length()) {
                        throw new IllegalArgumentException("unterminated comment");
                    }
                    if (s.charAt(i) == '/' && s.charAt(i + 1) == '*') {
                        depth++;
                        i += 2;
                    } else if (s.charAt(i) == '*' && s.charAt(i + 1) == '/') {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                } while (depth > 0);
            } else {
                return;
            }
        }
    }

    /** Skips whitespace, a comment, a string, a quoted name, a dollar quote or a word; false when at none. */
    private boolean skipSpaceOrToken() {
        int before = i;
        skipSpace();
        if (i != before || i >= s.length()) {
            return true;
        }
        char c = s.charAt(i);
        if (c == '\'' || ((c == 'e' || c == 'E') && i + 1 < s.length() && s.charAt(i + 1) == '\'')) {
            string();
            return true;
        }
        if (c == '"') {
            quotedIdentifier();
            return true;
        }
        if (isUnicodeIdentifier()) {
            throw new IllegalArgumentException("U& constants are not supported here");
        }
        if (c == '$' && (i == 0 || !identChar(s.charAt(i - 1)))) {
            int tagEnd = dollarTagEnd(i);
            if (tagEnd > 0) {
                String tag = s.substring(i, tagEnd);
                int close = s.indexOf(tag, tagEnd);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated dollar quote");
                }
                i = close + tag.length();
                return true;
            }
        }
        if (identStart(c)) {
            while (i < s.length() && identChar(s.charAt(i))) {
                i++;
            }
            return true;
        }
        return false;
    }

    /** The end (exclusive) of a dollar-quote tag starting at {@code at}, or -1 when none starts there. */
    private int dollarTagEnd(int at) {
        int j = at + 1;
        if (j < s.length() && s.charAt(j) == '$') {
            return j + 1; // $$
        }
        if (j >= s.length() || !identStart(s.charAt(j))) {
            return -1;
        }
        while (j < s.length() && (identStart(s.charAt(j)) || (s.charAt(j) >= '0' && s.charAt(j) <= '9'))) {
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? j + 1 : -1;
    }

    private String string() {
        boolean escapes = s.charAt(i) == 'e' || s.charAt(i) == 'E';
        i += escapes ? 2 : 1;
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '\\' && escapes && i < s.length()) {
                b.append(s.charAt(i++));
            } else if (c == '\'') {
                if (i < s.length() && s.charAt(i) == '\'') {
                    b.append('\'');
                    i++;
                } else {
                    return b.toString();
                }
            } else {
                b.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }

    private String quotedIdentifier() {
        i++;
        StringBuilder b = new StringBuilder();
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                if (i < s.length() && s.charAt(i) == '"') {
                    b.append('"');
                    i++;
                } else {
                    if (b.isEmpty()) {
                        throw new IllegalArgumentException("empty quoted name");
                    }
                    return b.toString();
                }
            } else {
                b.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated quoted name");
    }

    private boolean isUnicodeIdentifier() {
        return i + 2 < s.length()
                && (s.charAt(i) == 'u' || s.charAt(i) == 'U')
                && s.charAt(i + 1) == '&'
                && (s.charAt(i + 2) == '"' || s.charAt(i + 2) == '\'');
    }

    /** PostgreSQL's ident_start: a letter, underscore or any byte of 0x80 and above. */
    private static boolean identStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
    }

    private static boolean identChar(char c) {
        return identStart(c) || (c >= '0' && c <= '9') || c == '$';
    }
}
