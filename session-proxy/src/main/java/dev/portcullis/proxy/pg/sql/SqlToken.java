package dev.portcullis.proxy.pg.sql;

/**
 * One token of SQL text as PostgreSQL's scanner ({@code src/backend/parser/scan.l}) cuts it, by its
 * char range {@code [start, end)} in the text it came from.
 *
 * @param kind what the token is
 * @param form which quoting or comment form, for strings, quoted identifiers, comments and
 *     unterminated tokens; {@link Form#NONE} otherwise
 * @param name for {@link Kind#IDENT} the name as PostgreSQL folds it (ASCII lower-cased, truncated
 *     to 63 bytes); for {@link Kind#QUOTED_IDENT} the name between the quotes (doubled quotes
 *     undone, {@code U&""} escapes decoded, truncated the same way), or {@code null} when a
 *     {@code U&""} name has an escape PostgreSQL rejects; {@code null} for every other kind
 */
public record SqlToken(Kind kind, Form form, int start, int end, String name) {

    /** Token kinds. Only {@link #WHITESPACE} and {@link #COMMENT} are insignificant to PostgreSQL. */
    public enum Kind {
        /** A run of PostgreSQL's whitespace: space, tab, newline, carriage return, form feed, vertical tab. */
        WHITESPACE,
        /** A {@code --} comment (without the newline that ends it) or a whole, possibly nested, block comment. */
        COMMENT,
        /** An unquoted identifier or keyword. */
        IDENT,
        /** A {@code "..."} or {@code U&"..."} identifier. */
        QUOTED_IDENT,
        /** A string literal of any form, including its continuation segments ({@code 'a'\n'b'} is one token). */
        STRING,
        /** An integer, decimal or real literal ({@code 42}, {@code 0x2A}, {@code 1_000}, {@code 1.5e3}). */
        NUMBER,
        /** A positional parameter such as {@code $1}. */
        PARAM,
        /** An operator, after scan.l's rules for embedded comment starts and trailing {@code +}/{@code -}. */
        OPERATOR,
        /** One of {@code ( ) , ; [ ] . : :: .. :=}. */
        PUNCT,
        /** A number or parameter followed by identifier characters, which PostgreSQL rejects ("trailing junk"). */
        JUNK,
        /** Any other single character ({@code \}, a lone {@code $}, control characters …), passed on as is. */
        OTHER,
        /** A string, quoted identifier, dollar quote or block comment the text ends inside; PostgreSQL rejects it. */
        UNTERMINATED
    }

    /** The quoting or comment form of a token. */
    public enum Form {
        NONE,
        /** {@code -- ...} */
        LINE_COMMENT,
        /** {@code /* ... * /}, nested */
        BLOCK_COMMENT,
        /** {@code '...'} with standard_conforming_strings on. */
        STANDARD,
        /** {@code E'...'}, or {@code '...'} with standard_conforming_strings off: backslash escapes. */
        ESCAPE,
        /** {@code U&'...'} */
        UNICODE,
        /** {@code B'...'} */
        BIT,
        /** {@code X'...'} */
        HEX,
        /** {@code N'...'} (the string part follows standard_conforming_strings). */
        NATIONAL,
        /** {@code $tag$...$tag$} */
        DOLLAR,
        /** {@code "..."} */
        DELIMITED,
        /** {@code U&"..."} */
        UNICODE_DELIMITED
    }

    /** The token's exact text in {@code sql}, the string it was scanned from. */
    public String text(String sql) {
        return sql.substring(start, end);
    }

    /** Whether PostgreSQL ignores the token (whitespace and comments). */
    public boolean insignificant() {
        return kind == Kind.WHITESPACE || kind == Kind.COMMENT;
    }
}
