package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlToken.Form;
import dev.portcullis.proxy.pg.sql.SqlToken.Kind;
import java.util.Arrays;

/**
 * The state machine behind {@link SqlLexer}: a hand-written transcription of the token rules of
 * PostgreSQL's {@code src/backend/parser/scan.l} (PostgreSQL 18, the version the dev-stack runs),
 * one token per {@link #next()} call, in time linear in the text and without recursion or regular
 * expressions.
 *
 * <p>PostgreSQL scans bytes; this scans the UTF-16 chars of the same text (client_encoding is
 * pinned to UTF8). Every byte of a multibyte UTF-8 sequence is {@code >= 0x80}, so "every byte
 * {@code >= 0x80} is an identifier character" becomes "every char {@code >= 0x80} is one".
 */
final class SqlScanner {

    private static final char EOF = '\0';

    private final String s;
    private final int n;
    private final boolean standardConformingStrings;
    private int pos;

    /** The token found by the last {@link #next()}. */
    Kind kind;

    Form form;
    int start;
    int end;

    /** Every comment range seen so far, also those inside a string's continuation gap, when asked for. */
    private int[] comments;

    private int commentCount;

    // Operator runs: PostgreSQL re-scans the rest of a run after cutting a token from it; these
    // remember what was already found so a long run stays linear (see operator()).
    private int runStart = -1;
    private int runEnd = -1;
    private int commentStartFrom = -1;
    private int commentStartAt;
    private int qualifyingFrom = -1;
    private int qualifyingAt;
    private int signsLimit = -1;
    private int signsFloor;
    private int signsStart;

    SqlScanner(String sql, boolean standardConformingStrings) {
        this.s = sql;
        this.n = sql.length();
        this.standardConformingStrings = standardConformingStrings;
    }

    /** Records every comment's range, for {@link #comments()}. */
    SqlScanner recordComments() {
        comments = new int[16];
        return this;
    }

    /** Comment ranges in text order as {@code [start0, end0, start1, end1, ...]}. */
    int[] comments() {
        return Arrays.copyOf(comments, commentCount);
    }

    int commentCount() {
        return commentCount / 2;
    }

    /** Scans the next token into {@link #kind}, {@link #form}, {@link #start}, {@link #end}; false at the end. */
    boolean next() {
        if (pos >= n) {
            return false;
        }
        start = pos;
        form = Form.NONE;
        char c = s.charAt(pos);
        char c1 = at(pos + 1);
        if (isSpace(c)) {
            int j = pos + 1;
            while (j < n && isSpace(s.charAt(j))) {
                j++;
            }
            emit(Kind.WHITESPACE, j);
        } else if (c == '-' && c1 == '-') {
            form = Form.LINE_COMMENT;
            int e = lineEnd(pos);
            comment(pos, e);
            emit(Kind.COMMENT, e);
        } else if (c == '/' && c1 == '*') {
            blockComment();
        } else if ((c == 'b' || c == 'B') && c1 == '\'') {
            quoted(pos + 2, Mode.NO_QUOTE_DOUBLING, Form.BIT);
        } else if ((c == 'x' || c == 'X') && c1 == '\'') {
            quoted(pos + 2, Mode.NO_QUOTE_DOUBLING, Form.HEX);
        } else if ((c == 'n' || c == 'N') && c1 == '\'') {
            // scan.l returns NCHAR for the n, then scans an ordinary '' string (escapes per the setting)
            quoted(pos + 2, standardConformingStrings ? Mode.STANDARD : Mode.BACKSLASH, Form.NATIONAL);
        } else if ((c == 'e' || c == 'E') && c1 == '\'') {
            quoted(pos + 2, Mode.BACKSLASH, Form.ESCAPE);
        } else if ((c == 'u' || c == 'U') && c1 == '&' && at(pos + 2) == '\'') {
            // with standard_conforming_strings off PostgreSQL rejects U&'' outright; scanned as on
            quoted(pos + 3, Mode.STANDARD, Form.UNICODE);
        } else if ((c == 'u' || c == 'U') && c1 == '&' && at(pos + 2) == '"') {
            quotedIdentifier(pos + 3, Form.UNICODE_DELIMITED);
        } else if (c == '\'') {
            quoted(
                    pos + 1,
                    standardConformingStrings ? Mode.STANDARD : Mode.BACKSLASH,
                    standardConformingStrings ? Form.STANDARD : Form.ESCAPE);
        } else if (c == '"') {
            quotedIdentifier(pos + 1, Form.DELIMITED);
        } else if (isIdentStart(c)) {
            emit(Kind.IDENT, identEnd(pos));
        } else if (c == '$') {
            dollar();
        } else if (isDigit(c) || c == '.' && isDigit(c1)) {
            number();
        } else if (c == '.') {
            emit(Kind.PUNCT, c1 == '.' ? pos + 2 : pos + 1);
        } else if (c == ':') {
            emit(Kind.PUNCT, c1 == ':' || c1 == '=' ? pos + 2 : pos + 1);
        } else if (c == '(' || c == ')' || c == ',' || c == ';' || c == '[' || c == ']') {
            emit(Kind.PUNCT, pos + 1);
        } else if (isOpChar(c)) {
            operator();
        } else {
            emit(Kind.OTHER, pos + 1);
        }
        return true;
    }

    private void emit(Kind k, int e) {
        kind = k;
        end = e;
        pos = e;
    }

    private char at(int i) {
        return i < n ? s.charAt(i) : EOF;
    }

    // ---- comments --------------------------------------------------------------------------------

    /** Index of the \r or \n ending a {@code --} comment at {@code i}, or the text's end. */
    private int lineEnd(int i) {
        int j = i + 2;
        while (j < n && s.charAt(j) != '\n' && s.charAt(j) != '\r') {
            j++;
        }
        return j;
    }

    /** scan.l's {@code <xc>} state: nested block comments, {@code *+/} closes one level. */
    private void blockComment() {
        form = Form.BLOCK_COMMENT;
        int depth = 0;
        int j = pos + 2;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '/' && at(j + 1) == '*') {
                depth++;
                j += 2;
            } else if (c == '*') {
                int k = j + 1;
                while (k < n && s.charAt(k) == '*') {
                    k++;
                }
                if (k < n && s.charAt(k) == '/') {
                    j = k + 1;
                    if (depth == 0) {
                        comment(pos, j);
                        emit(Kind.COMMENT, j);
                        return;
                    }
                    depth--;
                } else {
                    j = k;
                }
            } else {
                j++;
            }
        }
        emit(Kind.UNTERMINATED, n);
    }

    private void comment(int from, int to) {
        if (comments == null) {
            return;
        }
        if (commentCount + 2 > comments.length) {
            comments = Arrays.copyOf(comments, comments.length * 2);
        }
        comments[commentCount++] = from;
        comments[commentCount++] = to;
    }

    // ---- quoted strings and identifiers ----------------------------------------------------------

    private enum Mode {
        /** {@code <xq>}, {@code <xus>}: {@code ''} is a quote, backslash is an ordinary char. */
        STANDARD,
        /** {@code <xe>}: {@code ''} is a quote and a backslash escapes the next char, whatever it is. */
        BACKSLASH,
        /** {@code <xb>}, {@code <xh>}: everything up to the next quote. */
        NO_QUOTE_DOUBLING
    }

    /**
     * A string body from {@code j} (just after the opening quote) in the given mode, with scan.l's
     * {@code <xqs>} continuation: after a closing quote, whitespace and {@code --} comments holding
     * at least one newline, then a quote, continue the same string in the same mode.
     */
    private void quoted(int j, Mode mode, Form f) {
        form = f;
        while (true) {
            int close = -1;
            while (j < n) {
                char c = s.charAt(j);
                if (c == '\'') {
                    if (mode != Mode.NO_QUOTE_DOUBLING && at(j + 1) == '\'') {
                        j += 2;
                        continue;
                    }
                    close = j;
                    break;
                }
                j += c == '\\' && mode == Mode.BACKSLASH ? 2 : 1;
            }
            if (close < 0) {
                emit(Kind.UNTERMINATED, n);
                return;
            }
            int reopen = continuation(close + 1);
            if (reopen < 0) {
                emit(Kind.STRING, close + 1);
                return;
            }
            j = reopen + 1;
        }
    }

    /** Index of the quote continuing a string after {@code j}, or -1 (scan.l's {@code quotecontinue}). */
    private int continuation(int j) {
        boolean newline = false;
        int recorded = commentCount;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\n' || c == '\r') {
                newline = true;
                j++;
            } else if (isSpace(c)) {
                j++;
            } else if (c == '-' && at(j + 1) == '-') {
                int e = lineEnd(j);
                comment(j, e);
                j = e;
            } else {
                break;
            }
        }
        if (newline && j < n && s.charAt(j) == '\'') {
            return j;
        }
        commentCount = recorded; // not a continuation: the main loop scans those comments itself
        return -1;
    }

    /** {@code <xd>}, {@code <xui>}: up to a quote that is not doubled; no continuation. */
    private void quotedIdentifier(int j, Form f) {
        form = f;
        while (j < n) {
            if (s.charAt(j) == '"') {
                if (at(j + 1) != '"') {
                    emit(Kind.QUOTED_IDENT, j + 1);
                    return;
                }
                j++;
            }
            j++;
        }
        emit(Kind.UNTERMINATED, n);
    }

    /**
     * {@code $}: a parameter ({@code $1}, or {@code $1abc} which is junk), a dollar quote
     * ({@code dolqdelim}: {@code $}, an optional tag, {@code $}), or, for {@code dolqfailed}, the
     * lone {@code $} as an {@code other} char.
     */
    private void dollar() {
        char c1 = at(pos + 1);
        if (isDigit(c1)) {
            int j = pos + 2;
            while (isDigit(at(j))) {
                j++;
            }
            if (isIdentStart(at(j))) {
                emit(Kind.JUNK, identEnd(j));
            } else {
                emit(Kind.PARAM, j);
            }
            return;
        }
        int j = pos + 1;
        if (isIdentStart(c1)) {
            j++;
            while (j < n && isDollarTagCont(s.charAt(j))) {
                j++;
            }
        }
        if (at(j) != '$') {
            emit(Kind.OTHER, pos + 1);
            return;
        }
        form = Form.DOLLAR;
        String delimiter = s.substring(pos, j + 1);
        // The tag has no $, so each comparison indexOf starts at a $ stops by the next $: linear.
        int close = s.indexOf(delimiter, j + 1);
        if (close < 0) {
            emit(Kind.UNTERMINATED, n);
        } else {
            emit(Kind.STRING, close + delimiter.length());
        }
    }

    private void number() {
        SqlNumbers.Match m = SqlNumbers.match(s, pos);
        emit(m.kind(), m.end());
    }

    private int identEnd(int j) {
        j++;
        while (j < n && isIdentCont(s.charAt(j))) {
            j++;
        }
        return j;
    }

    // ---- operators ---------------------------------------------------------------------------------

    /**
     * scan.l's {@code {operator}} rule: the longest run of operator chars, cut before an embedded
     * {@code /*} or {@code --}, then, unless the operator holds one of {@code ~!@#^&|`?%}, stripped of
     * trailing {@code +} and {@code -} (so {@code =-} is {@code =} then {@code -}).
     */
    private void operator() {
        if (pos < runStart || pos >= runEnd) {
            runStart = pos;
            int j = pos;
            while (j < n && isOpChar(s.charAt(j))) {
                j++;
            }
            runEnd = j;
            commentStartFrom = -1;
            qualifyingFrom = -1;
            signsLimit = -1;
        }
        int limit = commentStartInRun();
        int chars = limit - pos;
        char last = s.charAt(limit - 1);
        if (chars > 1 && (last == '+' || last == '-') && qualifyingInRun() >= limit - 1) {
            chars = Math.max(1, trailingSignsStart(limit) - pos);
        }
        emit(Kind.OPERATOR, pos + chars);
    }

    /** First {@code /*} or {@code --} at or after pos in the current run, or the run's end. */
    private int commentStartInRun() {
        if (commentStartFrom >= 0 && commentStartFrom <= pos && pos <= commentStartAt) {
            return commentStartAt;
        }
        int k = pos;
        while (k + 1 < runEnd) {
            char a = s.charAt(k);
            char b = s.charAt(k + 1);
            if (a == '/' && b == '*' || a == '-' && b == '-') {
                break;
            }
            k++;
        }
        commentStartFrom = pos;
        commentStartAt = k + 1 < runEnd ? k : runEnd;
        return commentStartAt;
    }

    /** First of {@code ~!@#^&|`?%} at or after pos in the current run, or the run's end. */
    private int qualifyingInRun() {
        if (qualifyingFrom >= 0 && qualifyingFrom <= pos && pos <= qualifyingAt) {
            return qualifyingAt;
        }
        int k = pos;
        while (k < runEnd && "~!@#^&|`?%".indexOf(s.charAt(k)) < 0) {
            k++;
        }
        qualifyingFrom = pos;
        qualifyingAt = k;
        return k;
    }

    /** Start of the run of {@code +}/{@code -} ending at {@code limit}, not before pos. */
    private int trailingSignsStart(int limit) {
        if (signsLimit == limit && signsFloor <= pos) {
            return Math.max(signsStart, pos);
        }
        int t = limit;
        while (t > pos && (s.charAt(t - 1) == '+' || s.charAt(t - 1) == '-')) {
            t--;
        }
        signsLimit = limit;
        signsFloor = pos;
        signsStart = t;
        return t;
    }

    // ---- character classes (scan.l) --------------------------------------------------------------

    /** {@code space}: {@code [ \t\n\r\f\v]}. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /** {@code ident_start}: {@code [A-Za-z\200-\377_]}. */
    static boolean isIdentStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    /** {@code ident_cont}: ident_start, digits and {@code $}. */
    static boolean isIdentCont(char c) {
        return isIdentStart(c) || isDigit(c) || c == '$';
    }

    /** {@code dolq_cont}: ident_start and digits, not {@code $}. */
    private static boolean isDollarTagCont(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code op_chars}: {@code ~!@#^&|`?+-* /%<>=}. */
    static boolean isOpChar(char c) {
        return switch (c) {
            case '~', '!', '@', '#', '^', '&', '|', '`', '?', '+', '-', '*', '/', '%', '<', '>', '=' -> true;
            default -> false;
        };
    }
}
