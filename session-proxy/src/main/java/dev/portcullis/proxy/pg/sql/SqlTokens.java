package dev.portcullis.proxy.pg.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of one statement as PostgreSQL's scanner ({@code src/backend/parser/scan.l}) would see
 * them, for the checks that must not depend on JSqlParser: the head of utility statements
 * JSqlParser cannot read ({@code SET}, {@code COPY}, {@code DECLARE} …) and the keyword check on
 * statements the tree calls read-only. Comments are skipped; strings, dollar quotes and quoted
 * identifiers are single tokens, so a keyword inside one is not a keyword.
 *
 * <p>Where this scanner and PostgreSQL could disagree, it errs towards finding more keywords:
 * an unterminated quote ends the statement as a string only in the token stream used for the head
 * parse, never hides anything from {@link SqlAnalyzer}'s keyword check (which fails closed on it).
 */
final class SqlTokens {

    enum Kind {
        /** An unquoted identifier or keyword; {@link Token#value} is folded as PostgreSQL folds it. */
        WORD,
        /** A quoted identifier ({@code "x"}, {@code U&"x"}); value is its text without quotes. */
        QUOTED_IDENT,
        /** A string constant of any form ('', E'', U&'', B'', X'', N'', $tag$…$tag$). */
        STRING,
        NUMBER,
        /** {@code $1}. */
        PARAM,
        /** One punctuation character: ( ) [ ] , ; . : — or an operator run such as {@code ::}, {@code =}. */
        SYMBOL
    }

    /**
     * @param start offset of the token in the statement
     * @param end offset just after it
     * @param value WORD: lower-cased (ASCII, as PostgreSQL folds); QUOTED_IDENT: unquoted; else the raw text
     */
    record Token(Kind kind, String value, int start, int end) {

        boolean isWord(String upper) {
            return kind == Kind.WORD && value.equalsIgnoreCase(upper);
        }

        boolean isSymbol(String s) {
            return kind == Kind.SYMBOL && value.equals(s);
        }

        /** An identifier as written, quoted or not: the name PostgreSQL resolves. */
        boolean isName() {
            return kind == Kind.WORD || kind == Kind.QUOTED_IDENT;
        }
    }

    /** The tokens, and whether some quote or comment ran to the end of the text unterminated. */
    record Scan(List<Token> tokens, boolean unterminated) {}

    private SqlTokens() {}

    static Scan scan(String s, boolean standardConformingStrings) {
        List<Token> out = new ArrayList<>();
        boolean unterminated = false;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
                continue;
            }
            int end;
            if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                end = lineCommentEnd(s, i);
                i = end;
                continue;
            }
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                end = blockCommentEnd(s, i);
                unterminated |= end < 0;
                i = end < 0 ? n : end;
                continue;
            }
            Kind kind;
            String value;
            if (c == '\'' || isStringPrefix(s, i)) {
                int q = s.indexOf('\'', i);
                boolean backslash = (c == 'e' || c == 'E') && q == i + 1 || (q == i && !standardConformingStrings);
                end = quotedEnd(s, q + 1, '\'', backslash);
                kind = Kind.STRING;
                value = s.substring(i, end < 0 ? n : end);
            } else if (c == '"' || (c == 'u' || c == 'U') && s.startsWith("&\"", i + 1)) {
                int q = s.indexOf('"', i);
                end = quotedEnd(s, q + 1, '"', false);
                kind = Kind.QUOTED_IDENT;
                value = end < 0
                        ? s.substring(q + 1)
                        : s.substring(q + 1, end - 1).replace("\"\"", "\"");
            } else if (c == '$' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                end = i + 1;
                while (end < n && Character.isDigit(s.charAt(end))) {
                    end++;
                }
                kind = Kind.PARAM;
                value = s.substring(i, end);
            } else if (c == '$' && dollarTagEnd(s, i) > 0) {
                int tagEnd = dollarTagEnd(s, i);
                String tag = s.substring(i, tagEnd);
                int close = s.indexOf(tag, tagEnd);
                end = close < 0 ? -1 : close + tag.length();
                kind = Kind.STRING;
                value = s.substring(i, end < 0 ? n : end);
            } else if (identStart(c)) {
                end = i + 1;
                while (end < n && identCont(s.charAt(end))) {
                    end++;
                }
                kind = Kind.WORD;
                value = foldAscii(s.substring(i, end));
            } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                end = i + 1;
                while (end < n
                        && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '.' || s.charAt(end) == '_')) {
                    end++;
                }
                kind = Kind.NUMBER;
                value = s.substring(i, end);
            } else if (isOperatorChar(c)) {
                end = i + 1;
                while (end < n
                        && isOperatorChar(s.charAt(end))
                        && !s.startsWith("--", end)
                        && !s.startsWith("/*", end)) {
                    end++;
                }
                kind = Kind.SYMBOL;
                value = s.substring(i, end);
            } else if (c == ':' && s.startsWith("::", i)) {
                end = i + 2;
                kind = Kind.SYMBOL;
                value = "::";
            } else {
                end = i + 1;
                kind = Kind.SYMBOL;
                value = String.valueOf(c);
            }
            if (end < 0) {
                unterminated = true;
                end = n;
            }
            out.add(new Token(kind, value, i, end));
            i = end;
        }
        return new Scan(out, unterminated);
    }

    /**
     * The text with every comment replaced by one space — PostgreSQL's own scanner treats a comment
     * as whitespace. Until {@code SqlLexer.withoutComments} lands, {@link SqlAnalyzer} uses this.
     */
    static String withoutComments(String s, boolean standardConformingStrings) {
        StringBuilder sb = new StringBuilder(s.length());
        int last = 0;
        for (Token t : scan(s, standardConformingStrings).tokens()) {
            gap(s, last, t.start(), sb);
            sb.append(s, t.start(), t.end());
            last = t.end();
        }
        gap(s, last, s.length(), sb);
        return sb.toString().strip();
    }

    /** Whitespace between two tokens kept as it is, each comment in it replaced by one space. */
    private static void gap(String s, int from, int to, StringBuilder sb) {
        int i = from;
        while (i < to) {
            if (s.startsWith("--", i)) {
                i = Math.min(to, lineCommentEnd(s, i));
                sb.append(' ');
            } else if (s.startsWith("/*", i)) {
                int end = blockCommentEnd(s, i);
                i = end < 0 ? to : Math.min(to, end);
                sb.append(' ');
            } else {
                sb.append(s.charAt(i++));
            }
        }
    }

    /** {@code E'}, {@code U&'}, {@code B'}, {@code X'}, {@code N'} at {@code i}, not inside an identifier. */
    private static boolean isStringPrefix(String s, int i) {
        if (i > 0 && identCont(s.charAt(i - 1))) {
            return false;
        }
        char c = Character.toLowerCase(s.charAt(i));
        if ((c == 'e' || c == 'b' || c == 'x' || c == 'n') && s.startsWith("'", i + 1)) {
            return true;
        }
        return c == 'u' && s.startsWith("&'", i + 1);
    }

    /** scan.l: {@code --} runs to the end of the line, which is {@code \n} or {@code \r}. */
    private static int lineCommentEnd(String s, int i) {
        int j = i + 2;
        while (j < s.length() && s.charAt(j) != '\n' && s.charAt(j) != '\r') {
            j++;
        }
        return j;
    }

    /** Nested block comments; -1 when unterminated. */
    private static int blockCommentEnd(String s, int i) {
        int depth = 1;
        int j = i + 2;
        while (j < s.length()) {
            if (s.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (s.startsWith("*/", j)) {
                j += 2;
                if (--depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return -1;
    }

    /** Index after the closing quote (doubled quotes and, when asked, backslashes escape); -1 if none. */
    private static int quotedEnd(String s, int j, char quote, boolean backslash) {
        int n = s.length();
        while (j < n) {
            char c = s.charAt(j);
            if (backslash && c == '\\') {
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
        return -1;
    }

    /** scan.l {@code dolqdelim}: {@code $tag$} where tag is empty or an identifier without {@code $}. */
    private static int dollarTagEnd(String s, int i) {
        if (i > 0 && identCont(s.charAt(i - 1))) {
            return -1; // part of an identifier such as x$a$
        }
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= s.length() || !identStart(s.charAt(j))) {
            return -1;
        }
        while (j < s.length() && identCont(s.charAt(j)) && s.charAt(j) != '$') {
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? j + 1 : -1;
    }

    /** scan.l: every character above ASCII is an identifier character. */
    static boolean identStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    static boolean identCont(char c) {
        return identStart(c) || c >= '0' && c <= '9' || c == '$';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    private static boolean isOperatorChar(char c) {
        return "~!@#^&|`?+-*/%<>=".indexOf(c) >= 0;
    }

    /** PostgreSQL lower-cases only ASCII letters of an unquoted identifier (multibyte encodings). */
    static String foldAscii(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c + 32));
            }
        }
        return sb == null ? s : sb.toString();
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
