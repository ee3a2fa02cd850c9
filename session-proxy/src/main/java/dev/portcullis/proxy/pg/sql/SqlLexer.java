package dev.portcullis.proxy.pg.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A small PostgreSQL-aware scanner: splits a multi-statement string on top-level semicolons and
 * computes a statement's shape (literals replaced by {@code ?}) for decision caching. It knows
 * quoted strings, E'' strings, quoted identifiers, dollar quotes and both comment forms.
 */
public final class SqlLexer {

    private SqlLexer() {}

    /** Top-level statements, trimmed, empty ones dropped. */
    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        for (SqlStatement s : split(sql, true)) {
            out.add(s.text());
        }
        return out;
    }

    /**
     * Top-level statements of {@code sql} as PostgreSQL's scanner would cut them: each the exact
     * text between two top-level semicolons with surrounding whitespace trimmed, and its offset (in
     * chars) in {@code sql}; statements holding only whitespace or comments are dropped.
     *
     * @param standardConformingStrings the backend's setting: when off, '' strings take backslash escapes
     */
    public static List<SqlStatement> split(String sql, boolean standardConformingStrings) {
        List<SqlStatement> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ';') {
                add(out, sql, start, i);
                start = ++i;
            } else {
                i = skipToken(sql, i);
            }
        }
        add(out, sql, start, n);
        return out;
    }

    private static void add(List<SqlStatement> out, String sql, int from, int to) {
        while (from < to && Character.isWhitespace(sql.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(sql.charAt(to - 1))) {
            to--;
        }
        String t = sql.substring(from, to);
        if (!t.isEmpty() && !onlyComments(t)) {
            out.add(new SqlStatement(t, from));
        }
    }

    private static boolean onlyComments(String s) {
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && s.startsWith("--", i) || c == '/' && s.startsWith("/*", i)) {
                i = skipToken(s, i);
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * The statement with numeric and string literals replaced by {@code ?} and whitespace
     * collapsed: statements that differ only in literal values share a shape.
     */
    public static String shape(String sql) {
        StringBuilder sb = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        boolean space = false;
        while (i < n) {
            char c = sql.charAt(i);
            int next;
            if (Character.isWhitespace(c)) {
                space = true;
                i++;
                continue;
            }
            if (space && sb.length() > 0) {
                sb.append(' ');
            }
            space = false;
            if (c == '\''
                    || (c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'' && !identChar(prev(sql, i))) {
                next = skipToken(sql, i);
                sb.append('?');
            } else if (Character.isDigit(c) && !identChar(prev(sql, i))) {
                next = i;
                while (next < n && (Character.isLetterOrDigit(sql.charAt(next)) || sql.charAt(next) == '.')) {
                    next++;
                }
                sb.append('?');
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                next = i + 1;
                while (next < n && Character.isDigit(sql.charAt(next))) {
                    next++;
                }
                sb.append(sql, i, next);
            } else {
                next = skipToken(sql, i);
                if (next == i + 1) {
                    sb.append(c);
                } else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
                    space = true; // comments are not part of the shape
                } else {
                    sb.append(sql, i, next);
                }
            }
            i = next;
        }
        return sb.toString();
    }

    private static char prev(String s, int i) {
        return i == 0 ? ' ' : s.charAt(i - 1);
    }

    private static boolean identChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Index just after the token starting at {@code i} (a quoted run, a comment, or one char). */
    static int skipToken(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (c == '\'' || c == '"') {
            return skipQuoted(s, i + 1, c, false);
        }
        if ((c == 'E' || c == 'e') && i + 1 < n && s.charAt(i + 1) == '\'' && !identChar(prev(s, i))) {
            return skipQuoted(s, i + 2, '\'', true);
        }
        if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
            int end = s.indexOf('\n', i);
            return end < 0 ? n : end + 1;
        }
        if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
            int depth = 1;
            int j = i + 2;
            while (j < n && depth > 0) {
                if (s.startsWith("/*", j)) {
                    depth++;
                    j += 2;
                } else if (s.startsWith("*/", j)) {
                    depth--;
                    j += 2;
                } else {
                    j++;
                }
            }
            return j;
        }
        if (c == '$' && !identChar(prev(s, i))) {
            int j = i + 1;
            while (j < n
                    && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')
                    && !Character.isDigit(s.charAt(i + 1))) {
                j++;
            }
            if (j < n && s.charAt(j) == '$') {
                String tag = s.substring(i, j + 1);
                int end = s.indexOf(tag, j + 1);
                return end < 0 ? n : end + tag.length();
            }
        }
        return i + 1;
    }

    private static int skipQuoted(String s, int j, char quote, boolean backslashEscapes) {
        int n = s.length();
        while (j < n) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\') {
                j += 2;
            } else if (c == quote) {
                if (j + 1 < n && s.charAt(j + 1) == quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j++;
            }
        }
        return n;
    }
}
