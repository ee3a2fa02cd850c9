package dev.portcullis.proxy.pg;

import java.util.Locale;

/**
 * The SQL commands that change what the protocol's names mean — {@code PREPARE}, {@code EXECUTE},
 * {@code DEALLOCATE}, {@code DECLARE … CURSOR}, {@code FETCH}/{@code MOVE}, {@code CLOSE},
 * {@code DISCARD ALL} — read from one statement's leading words, and the commands that behave
 * differently in a multi-statement simple Query (an implicit transaction block) than in the
 * proxy's Parse/Bind/Execute pipeline. Only the leading words are read; strings, comments and
 * quoted identifiers are skipped as PostgreSQL's scanner ({@code scan.l}) skips them.
 *
 * @param name the prepared statement or cursor named, as PostgreSQL folds it; null for ALL or none
 * @param inner the statement a PREPARE holds or the query a DECLARE opens, else null
 * @param innerOffset where {@code inner} starts in the statement (chars)
 * @param hold a DECLARE … WITH HOLD
 */
record SqlCommand(Verb verb, String name, String inner, int innerOffset, boolean hold) {

    enum Verb {
        PREPARE,
        EXECUTE,
        DEALLOCATE,
        DECLARE,
        FETCH,
        CLOSE,
        DISCARD_ALL,
        /** Runs a prepared statement inside another command: {@code EXPLAIN … EXECUTE}, {@code CREATE … AS EXECUTE}. */
        NESTED_EXECUTE,
        /** A name the proxy cannot read with certainty (U&"" identifiers, a missing name): refused. */
        UNREADABLE,
        OTHER
    }

    static final SqlCommand OTHER = new SqlCommand(Verb.OTHER, null, null, -1, false);

    /** Reads {@code text} (one statement) with PostgreSQL's {@code standard_conforming_strings}. */
    static SqlCommand parse(String text, boolean scs) {
        Tokens t = new Tokens(text, scs);
        String verb = t.word();
        if (verb == null) {
            return OTHER;
        }
        switch (verb) {
            case "prepare" -> {
                String name = t.name();
                if (name == null) {
                    return unreadable();
                }
                if (t.peek() == '(' && !t.skipParens()) {
                    return unreadable();
                }
                if (!"as".equals(t.word())) {
                    return unreadable();
                }
                int at = t.skipBlank();
                return new SqlCommand(Verb.PREPARE, name, text.substring(at), at, false);
            }
            case "execute" -> {
                String name = t.name();
                return name == null ? unreadable() : new SqlCommand(Verb.EXECUTE, name, null, -1, false);
            }
            case "deallocate" -> {
                int mark = t.pos;
                String w = t.word();
                if (!"prepare".equals(w)) {
                    t.pos = mark;
                }
                return allOrName(t, Verb.DEALLOCATE);
            }
            case "close" -> {
                return allOrName(t, Verb.CLOSE);
            }
            case "discard" -> {
                return "all".equals(t.word()) ? new SqlCommand(Verb.DISCARD_ALL, null, null, -1, false) : OTHER;
            }
            case "declare" -> {
                String name = t.name();
                if (name == null) {
                    return unreadable();
                }
                boolean hold = false;
                String w;
                while ((w = t.word()) != null && !w.equals("cursor")) {
                    // BINARY, ASENSITIVE, INSENSITIVE, NO SCROLL, SCROLL
                }
                if (w == null) {
                    return unreadable();
                }
                w = t.word();
                if ("with".equals(w) || "without".equals(w)) {
                    hold = w.equals("with");
                    if (!"hold".equals(t.word())) {
                        return unreadable();
                    }
                    w = t.word();
                }
                if (!"for".equals(w)) {
                    return unreadable();
                }
                int at = t.skipBlank();
                return new SqlCommand(Verb.DECLARE, name, text.substring(at), at, hold);
            }
            case "fetch", "move" -> {
                // FETCH [direction [count]] [FROM | IN] cursor: the cursor is the last token
                String last = null;
                while (t.skipBlank() < text.length()) {
                    String n = t.name();
                    if (n == null) {
                        if (t.unreadable) {
                            return unreadable();
                        }
                        t.pos++; // a number, a sign or other punctuation of the direction
                        last = null;
                    } else {
                        last = n;
                    }
                }
                return last == null ? unreadable() : new SqlCommand(Verb.FETCH, last, null, -1, false);
            }
            case "explain" -> {
                return t.containsWord("execute") ? nested() : OTHER;
            }
            case "create" -> {
                return t.containsWords("as", "execute") ? nested() : OTHER;
            }
            default -> {
                return OTHER;
            }
        }
    }

    private static SqlCommand allOrName(Tokens t, Verb verb) {
        int mark = t.pos;
        String w = t.word();
        if ("all".equals(w) && t.skipBlank() >= t.s.length()) {
            return new SqlCommand(verb, null, null, -1, false);
        }
        t.pos = mark;
        String name = t.name();
        return name == null ? unreadable() : new SqlCommand(verb, name, null, -1, false);
    }

    private static SqlCommand unreadable() {
        return new SqlCommand(Verb.UNREADABLE, null, null, -1, false);
    }

    private static SqlCommand nested() {
        return new SqlCommand(Verb.NESTED_EXECUTE, null, null, -1, false);
    }

    /**
     * The command, when {@code text} cannot run as one step of a pipeline in place of one statement
     * of a multi-statement Query: it needs (or must not be in) a transaction block, or it is COPY
     * (nothing may follow its Execute), or the analyzer does not know it, or it commits before the
     * end ({@code last} false): PostgreSQL parses a whole Query before running any of it, so a syntax
     * error after a COMMIT leaves nothing committed there, while a pipeline would already have
     * committed. Null when it converts.
     */
    static String blockSensitive(String text, boolean scs, String analyzedType, boolean last) {
        Tokens t = new Tokens(text, scs);
        String w1 = t.word();
        if (w1 == null) {
            return "this statement";
        }
        String w2 = t.word();
        String two = w2 == null ? w1 : w1 + " " + w2;
        switch (w1) {
            case "declare", "lock", "savepoint", "release", "vacuum", "cluster", "copy" -> {
                return w1.toUpperCase(Locale.ROOT);
            }
            case "set" -> {
                if ("local".equals(w2)) {
                    return "SET LOCAL";
                }
            }
            case "rollback" -> {
                String w3 = "work".equals(w2) || "transaction".equals(w2) ? t.word() : w2;
                if ("to".equals(w3)) {
                    return "ROLLBACK TO SAVEPOINT";
                }
                if ("prepared".equals(w2) && !last) {
                    return "ROLLBACK PREPARED before the last statement";
                }
            }
            case "commit", "end" -> {
                if (!last) {
                    return w1.toUpperCase(Locale.ROOT) + " before the last statement";
                }
            }
            case "prepare" -> {
                if ("transaction".equals(w2) && !last) {
                    return "PREPARE TRANSACTION before the last statement";
                }
            }
            case "alter" -> {
                if ("system".equals(w2)) {
                    return "ALTER SYSTEM";
                }
            }
            case "create", "drop" -> {
                if ("database".equals(w2)) {
                    return two.toUpperCase(Locale.ROOT);
                }
                if (("index".equals(w2) || "unique".equals(w2)) && new Tokens(text, scs).containsWord("concurrently")) {
                    return w1.toUpperCase(Locale.ROOT) + " INDEX CONCURRENTLY";
                }
            }
            case "reindex" -> {
                if (new Tokens(text, scs).containsWord("concurrently")) {
                    return "REINDEX CONCURRENTLY";
                }
            }
            default -> {}
        }
        if (analyzedType == null || "UNKNOWN".equals(analyzedType)) {
            return "a statement the proxy cannot classify";
        }
        return null;
    }

    /** A scanner over a statement's top-level tokens (scan.l's rules for what to skip). */
    static final class Tokens {
        final String s;
        final boolean scs;
        int pos;
        boolean unreadable;

        Tokens(String s, boolean scs) {
            this.s = s;
            this.scs = scs;
        }

        char peek() {
            return skipBlank() < s.length() ? s.charAt(pos) : 0;
        }

        /** Skips whitespace and comments; returns the position of the next token. */
        int skipBlank() {
            int n = s.length();
            while (pos < n) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000b') {
                    pos++;
                } else if (c == '-' && pos + 1 < n && s.charAt(pos + 1) == '-') {
                    while (pos < n && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                        pos++;
                    }
                } else if (c == '/' && pos + 1 < n && s.charAt(pos + 1) == '*') {
                    int depth = 0;
                    do {
                        if (s.startsWith("/*", pos)) {
                            depth++;
                            pos += 2;
                        } else if (s.startsWith("*/", pos)) {
                            depth--;
                            pos += 2;
                        } else {
                            pos++;
                        }
                    } while (depth > 0 && pos < n);
                } else {
                    break;
                }
            }
            return pos;
        }

        static boolean identStart(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
        }

        static boolean identPart(char c) {
            return identStart(c) || c >= '0' && c <= '9' || c == '$';
        }

        /** The next token when it is an unquoted word, lower-cased (ASCII only, as PostgreSQL folds); else null. */
        String word() {
            int at = skipBlank();
            if (at >= s.length() || !identStart(s.charAt(at)) || isUnicodeQuote(at) || isStringPrefix(at)) {
                return null;
            }
            int end = at;
            while (end < s.length() && identPart(s.charAt(end))) {
                end++;
            }
            pos = end;
            return fold(s.substring(at, end));
        }

        /** The next token as an identifier (unquoted, folded; or "quoted"), else null; U&"" is unreadable. */
        String name() {
            int at = skipBlank();
            if (at >= s.length()) {
                return null;
            }
            if (isUnicodeQuote(at)) {
                unreadable = true;
                return null;
            }
            if (s.charAt(at) == '"') {
                StringBuilder b = new StringBuilder();
                int i = at + 1;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            b.append('"');
                            i += 2;
                            continue;
                        }
                        pos = i + 1;
                        return b.isEmpty() ? null : b.toString();
                    }
                    b.append(c);
                    i++;
                }
                unreadable = true;
                return null;
            }
            return word();
        }

        private boolean isUnicodeQuote(int at) {
            return (s.charAt(at) == 'u' || s.charAt(at) == 'U') && s.startsWith("&", at + 1);
        }

        private boolean isStringPrefix(int at) {
            char c = Character.toLowerCase(s.charAt(at));
            return (c == 'e' || c == 'b' || c == 'x' || c == 'n') && at + 1 < s.length() && s.charAt(at + 1) == '\'';
        }

        /** Skips a balanced ( … ) group; false when it never closes. */
        boolean skipParens() {
            int depth = 0;
            while (skipBlank() < s.length()) {
                char c = s.charAt(pos);
                if (c == '(') {
                    depth++;
                    pos++;
                } else if (c == ')') {
                    depth--;
                    pos++;
                    if (depth == 0) {
                        return true;
                    }
                } else {
                    skipToken();
                }
            }
            return false;
        }

        /** Skips one token: a string, a quoted identifier, a dollar-quoted string, a word or one char. */
        void skipToken() {
            int n = s.length();
            char c = s.charAt(pos);
            if (c == '\'') {
                skipString(pos + 1, !scs);
            } else if ((c == 'e' || c == 'E') && pos + 1 < n && s.charAt(pos + 1) == '\'') {
                skipString(pos + 2, true);
            } else if (isStringPrefix(pos)) {
                skipString(pos + 2, false);
            } else if (isUnicodeQuote(pos) && pos + 2 < n && (s.charAt(pos + 2) == '\'' || s.charAt(pos + 2) == '"')) {
                pos += 2;
                skipToken();
            } else if (c == '"') {
                int i = pos + 1;
                while (i < n && !(s.charAt(i) == '"' && (i + 1 >= n || s.charAt(i + 1) != '"'))) {
                    i += s.charAt(i) == '"' ? 2 : 1;
                }
                pos = Math.min(n, i + 1);
            } else if (identStart(c)) {
                while (pos < n && identPart(s.charAt(pos))) {
                    pos++;
                }
            } else if (c == '$') {
                int i = pos + 1;
                while (i < n && identPart(s.charAt(i)) && s.charAt(i) != '$') {
                    i++;
                }
                boolean tagOk = i == pos + 1 || !(s.charAt(pos + 1) >= '0' && s.charAt(pos + 1) <= '9');
                if (tagOk && i < n && s.charAt(i) == '$') {
                    String tag = s.substring(pos, i + 1);
                    int end = s.indexOf(tag, i + 1);
                    pos = end < 0 ? n : end + tag.length();
                } else {
                    pos = i;
                }
            } else {
                pos++;
            }
        }

        private void skipString(int i, boolean backslash) {
            int n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (backslash && c == '\\') {
                    i += 2;
                } else if (c == '\'') {
                    if (i + 1 < n && s.charAt(i + 1) == '\'') {
                        i += 2;
                    } else {
                        pos = i + 1;
                        return;
                    }
                } else {
                    i++;
                }
            }
            pos = n;
        }

        /** Whether an unquoted word appears at top level anywhere from here on. */
        boolean containsWord(String word) {
            while (skipBlank() < s.length()) {
                int at = pos;
                if (identStart(s.charAt(at)) && !isStringPrefix(at) && !isUnicodeQuote(at)) {
                    skipToken();
                    if (fold(s.substring(at, pos)).equals(word)) {
                        return true;
                    }
                } else {
                    skipToken();
                }
            }
            return false;
        }

        /** Whether two unquoted words appear one right after the other (comments between allowed). */
        boolean containsWords(String first, String second) {
            String previous = null;
            while (skipBlank() < s.length()) {
                int at = pos;
                String w = null;
                if (identStart(s.charAt(at)) && !isStringPrefix(at) && !isUnicodeQuote(at)) {
                    skipToken();
                    w = fold(s.substring(at, pos));
                } else {
                    skipToken();
                }
                if (first.equals(previous) && second.equals(w)) {
                    return true;
                }
                previous = w;
            }
            return false;
        }

        /** PostgreSQL's downcase_identifier for UTF8: ASCII letters only. */
        static String fold(String word) {
            StringBuilder b = null;
            for (int i = 0; i < word.length(); i++) {
                char c = word.charAt(i);
                if (c >= 'A' && c <= 'Z') {
                    if (b == null) {
                        b = new StringBuilder(word);
                    }
                    b.setCharAt(i, (char) (c + 32));
                }
            }
            return b == null ? word : b.toString();
        }
    }
}
