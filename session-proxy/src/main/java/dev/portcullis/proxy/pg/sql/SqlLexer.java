package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlToken.Form;
import dev.portcullis.proxy.pg.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SQL text cut and read exactly as PostgreSQL's scanner ({@code src/backend/parser/scan.l}) does:
 * its tokens, its statements, its shape for decision caching, and its text without comments. The
 * scanning itself is {@link SqlScanner}; every method here runs in time linear in the text.
 *
 * <p>{@code standardConformingStrings} is the backend's setting (ParameterStatus): when it is off,
 * {@code '...'} strings take backslash escapes as {@code E'...'} do, so {@code '\'; DELETE ...'} is
 * one string.
 */
public final class SqlLexer {

    private SqlLexer() {}

    /** Every token of {@code sql}, whitespace and comments included, in order and covering the whole text. */
    public static List<SqlToken> tokens(String sql, boolean standardConformingStrings) {
        SqlScanner sc = new SqlScanner(sql, standardConformingStrings);
        List<SqlToken> out = new ArrayList<>();
        while (sc.next()) {
            out.add(new SqlToken(sc.kind, sc.form, sc.start, sc.end, null));
        }
        for (int i = 0; i < out.size(); i++) {
            SqlToken t = out.get(i);
            String name = switch (t.kind()) {
                case IDENT -> SqlNames.folded(t.text(sql));
                case QUOTED_IDENT ->
                    t.form() == Form.DELIMITED ? SqlNames.delimited(t.text(sql)) : unicodeName(sql, out, i);
                default -> null;
            };
            if (name != null) {
                out.set(i, new SqlToken(t.kind(), t.form(), t.start(), t.end(), name));
            }
        }
        return out;
    }

    private static String unicodeName(String sql, List<SqlToken> tokens, int index) {
        char escape = uescape(sql, tokens, index);
        return escape == '\0'
                ? null
                : SqlNames.unicodeDelimited(tokens.get(index).text(sql), escape);
    }

    /**
     * The escape char of the {@code U&} token at {@code index}: the one its {@code UESCAPE 'c'}
     * clause names, {@code \} without one, and {@code '\0'} (no escape is valid) when the clause is
     * not one PostgreSQL accepts.
     */
    private static char uescape(String sql, List<SqlToken> tokens, int index) {
        int i = nextSignificant(tokens, index + 1);
        if (i < 0
                || tokens.get(i).kind() != Kind.IDENT
                || !"uescape".equals(SqlNames.folded(tokens.get(i).text(sql)))) {
            return '\\';
        }
        int j = nextSignificant(tokens, i + 1);
        if (j < 0 || tokens.get(j).kind() != Kind.STRING || tokens.get(j).form() != Form.STANDARD) {
            return '\0';
        }
        String lit = tokens.get(j).text(sql);
        if (lit.length() != 3) {
            return '\0';
        }
        char c = lit.charAt(1);
        boolean invalid =
                Character.digit(c, 16) >= 0 && c < 0x80 || c == '+' || c == '\'' || c == '"' || SqlScanner.isSpace(c);
        return invalid ? '\0' : c;
    }

    private static int nextSignificant(List<SqlToken> tokens, int from) {
        for (int i = from; i < tokens.size(); i++) {
            if (!tokens.get(i).insignificant()) {
                return i;
            }
        }
        return -1;
    }

    /** Top-level statements' texts, with standard_conforming_strings on (see {@link #split(String, boolean)}). */
    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        for (SqlStatement s : split(sql, true)) {
            out.add(s.text());
        }
        return out;
    }

    /**
     * Top-level statements of {@code sql} as PostgreSQL's scanner would cut them: each the exact
     * text between two top-level semicolons without surrounding whitespace, and its offset (in
     * chars) in {@code sql}. Statements holding only whitespace or comments are dropped. An
     * unterminated string, quoted identifier, dollar quote or comment runs to the end of the text
     * (and PostgreSQL rejects it).
     *
     * <p>A semicolon inside parentheses, or inside the {@code BEGIN ... END} body of
     * {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE}, does not end a statement: psql's rule
     * ({@code src/fe_utils/psqlscan.l}), which is where PostgreSQL's grammar also keeps them inside
     * one statement ({@code CREATE RULE ... DO (a; b)}, {@code BEGIN ATOMIC a; b; END}).
     *
     * @param standardConformingStrings the backend's setting: when off, '' strings take backslash escapes
     */
    public static List<SqlStatement> split(String sql, boolean standardConformingStrings) {
        SqlScanner sc = new SqlScanner(sql, standardConformingStrings);
        List<SqlStatement> out = new ArrayList<>();
        int first = -1; // start of the statement's first token that is not whitespace
        int last = -1; // end of its last token that is not whitespace
        boolean content = false; // whether it holds more than comments
        int parenDepth = 0;
        int beginDepth = 0;
        int words = 0;
        char[] leading = new char[4];
        while (sc.next()) {
            if (sc.kind == Kind.WHITESPACE) {
                continue;
            }
            if (sc.kind == Kind.PUNCT && sql.charAt(sc.start) == ';' && parenDepth == 0 && beginDepth == 0) {
                add(out, sql, first, last, content);
                first = -1;
                last = -1;
                content = false;
                words = 0;
                continue;
            }
            if (first < 0) {
                first = sc.start;
            }
            last = sc.end;
            if (sc.kind == Kind.COMMENT) {
                continue;
            }
            content = true;
            if (sc.kind == Kind.PUNCT && sc.end - sc.start == 1) {
                char c = sql.charAt(sc.start);
                if (c == '(') {
                    parenDepth++;
                } else if (c == ')' && parenDepth > 0) {
                    parenDepth--;
                }
            } else if (sc.kind == Kind.IDENT && !isFailedUnicodePrefix(sql, sc.start, sc.end)) {
                // psqlscan.l: track BEGIN ... END only in CREATE [OR REPLACE] {FUNCTION|PROCEDURE}
                if (words == 0) {
                    Arrays.fill(leading, '\0');
                }
                String w = SqlNames.folded(sql.substring(sc.start, sc.end));
                if (words < leading.length
                        && (w.equals("create")
                                || w.equals("function")
                                || w.equals("procedure")
                                || w.equals("or")
                                || w.equals("replace"))) {
                    leading[words] = w.charAt(0);
                }
                words++;
                if (leading[0] == 'c'
                        && (leading[1] == 'f'
                                || leading[1] == 'p'
                                || leading[1] == 'o' && leading[2] == 'r' && (leading[3] == 'f' || leading[3] == 'p'))
                        && parenDepth == 0) {
                    if (w.equals("begin")) {
                        beginDepth++;
                    } else if (w.equals("case")) {
                        if (beginDepth >= 1) {
                            beginDepth++;
                        }
                    } else if (w.equals("end") && beginDepth > 0) {
                        beginDepth--;
                    }
                }
            }
        }
        add(out, sql, first, last, content);
        return out;
    }

    /** psql scans {@code u&} before anything but a quote as {@code xufailed}, not as an identifier. */
    private static boolean isFailedUnicodePrefix(String sql, int start, int end) {
        return end - start == 1 && end < sql.length() && sql.charAt(end) == '&';
    }

    private static void add(List<SqlStatement> out, String sql, int first, int last, boolean content) {
        if (content) {
            out.add(new SqlStatement(sql.substring(first, last), first));
        }
    }

    /** The shape with standard_conforming_strings on (see {@link #shape(String, boolean)}). */
    public static String shape(String sql) {
        return shape(sql, true);
    }

    /**
     * The token sequence with literal values erased, for decision caching: two texts with equal
     * shapes are the same tokens in the same order except for the values of their literals, so
     * PostgreSQL parses them into the same statement structure.
     *
     * <p>Tokens are joined by single spaces (whitespace and comments dropped). Numbers become
     * {@code ?}; strings of the kinds PostgreSQL's grammar sees as one untyped literal ({@code '...'},
     * {@code E'...'}, dollar quotes) become {@code '?'}, and the others keep their prefix:
     * {@code U&'?'}, {@code B'?'}, {@code X'?'}, {@code N'?'}. Everything else is kept exactly as
     * written (identifiers unfolded, quoted identifiers with their quotes, {@code $1}), except that
     * every {@code ?} inside an operator is doubled, so the jsonb operator {@code ?} ({@code ??}) can
     * never be taken for a number.
     */
    public static String shape(String sql, boolean standardConformingStrings) {
        SqlScanner sc = new SqlScanner(sql, standardConformingStrings);
        StringBuilder sb = new StringBuilder(sql.length());
        while (sc.next()) {
            if (sc.kind == Kind.WHITESPACE || sc.kind == Kind.COMMENT) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            switch (sc.kind) {
                case NUMBER -> sb.append('?');
                case STRING ->
                    sb.append(
                            switch (sc.form) {
                                case UNICODE -> "U&'?'";
                                case BIT -> "B'?'";
                                case HEX -> "X'?'";
                                case NATIONAL -> "N'?'";
                                default -> "'?'";
                            });
                case OPERATOR -> {
                    for (int i = sc.start; i < sc.end; i++) {
                        char c = sql.charAt(i);
                        sb.append(c);
                        if (c == '?') {
                            sb.append('?');
                        }
                    }
                }
                default -> sb.append(sql, sc.start, sc.end);
            }
        }
        return sb.toString();
    }

    /**
     * {@code sql} with every comment PostgreSQL would skip replaced by one space, also those in the
     * gap of a continued string ({@code 'a' -- c\n'b'}); everything else exactly as written. An
     * unterminated block comment is not a comment to PostgreSQL (it rejects the text) and is kept.
     */
    public static String withoutComments(String sql, boolean standardConformingStrings) {
        SqlScanner sc = new SqlScanner(sql, standardConformingStrings).recordComments();
        while (sc.next()) {
            // the scanner records comment ranges as it goes
        }
        if (sc.commentCount() == 0) {
            return sql;
        }
        int[] ranges = sc.comments();
        StringBuilder sb = new StringBuilder(sql.length());
        int at = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            sb.append(sql, at, ranges[i]).append(' ');
            at = ranges[i + 1];
        }
        return sb.append(sql, at, sql.length()).toString();
    }
}
