package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portcullis.proxy.pg.sql.SqlToken.Form;
import dev.portcullis.proxy.pg.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lexer against PostgreSQL's scanner rules ({@code scan.l}), category by category. Every
 * smuggling case asserts the whole cut: the hidden {@code DELETE} must stay inside the one
 * statement PostgreSQL sees, never become a statement of its own.
 */
class SqlLexerTest {

    private static List<String> split(String sql) {
        return split(sql, true);
    }

    private static List<String> split(String sql, boolean scs) {
        List<String> out = new ArrayList<>();
        for (SqlStatement s : SqlLexer.split(sql, scs)) {
            assertEquals(
                    s.text(), sql.substring(s.offset(), s.offset() + s.text().length()), "offset of " + s);
            out.add(s.text());
        }
        return out;
    }

    private static List<String> nonWhitespace(String sql, boolean scs) {
        List<String> out = new ArrayList<>();
        for (SqlToken t : SqlLexer.tokens(sql, scs)) {
            if (t.kind() != Kind.WHITESPACE) {
                out.add(t.kind() + ":" + t.text(sql));
            }
        }
        return out;
    }

    private static SqlToken only(String sql, boolean scs) {
        List<SqlToken> tokens = SqlLexer.tokens(sql, scs);
        assertEquals(1, tokens.size(), () -> "one token expected in " + sql + ": " + tokens);
        return tokens.get(0);
    }

    // ---- -- comments ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\r", "\n", "\r\n", "\n\r", "\r\r"})
    void lineCommentEndsAtEitherNewline(String newline) {
        assertEquals(List.of("SELECT 1 --", "DELETE FROM t"), split("SELECT 1 --" + newline + "; DELETE FROM t"));
        assertEquals(List.of("SELECT 1 -- x", "DELETE FROM t"), split("SELECT 1 -- x" + newline + ";DELETE FROM t"));
    }

    @Test
    void lineCommentAtEndOfTextRunsToTheEnd() {
        assertEquals(List.of("SELECT 1 -- ; DELETE FROM t"), split("SELECT 1 -- ; DELETE FROM t"));
        assertEquals(List.of(), split("-- ; DELETE FROM t"));
    }

    @Test
    void lineCommentDoesNotEndAtOtherLineSeparators() {
        // only \r and \n end a -- comment; U+2028, U+0085, \f and \v do not
        for (String sep : List.of("\u2028", "\u0085", "\f", "\013")) {
            assertEquals(
                    List.of("SELECT 1 --" + sep + "; DELETE FROM t"), split("SELECT 1 --" + sep + "; DELETE FROM t"));
        }
    }

    @Test
    void dashesInsideAnOperatorStartAComment() {
        assertEquals(List.of("SELECT 1 +--;", "DELETE FROM t"), split("SELECT 1 +--;\n; DELETE FROM t"));
        assertEquals(List.of("OPERATOR:+", "COMMENT:--;"), kinds("+--;", true).subList(0, 2));
        assertEquals(List.of("SELECT 1 @--", "SELECT 2"), split("SELECT 1 @--\r;SELECT 2"));
    }

    // ---- block comments -------------------------------------------------------------------------

    @Test
    void blockCommentsNest() {
        assertEquals(
                List.of("SELECT /* a /* b */ ; DELETE FROM t; */ 1"),
                split("SELECT /* a /* b */ ; DELETE FROM t; */ 1"));
        assertEquals(List.of("SELECT /* /* /* */ */ */ 1", "SELECT 2"), split("SELECT /* /* /* */ */ */ 1; SELECT 2"));
        assertEquals(List.of("SELECT 1 /**/", "SELECT 2"), split("SELECT 1 /**/; SELECT 2"));
        assertEquals(List.of("SELECT 1 /***/", "SELECT 2"), split("SELECT 1 /***/; SELECT 2"));
    }

    @Test
    void slashStarSlashDoesNotClose() {
        // after /* the / of */ must follow a star that is not the opening one
        assertEquals(List.of("SELECT /*/ ; DELETE FROM t; */ 1"), split("SELECT /*/ ; DELETE FROM t; */ 1"));
    }

    @Test
    void slashStarInsideAnOperatorStartsAComment() {
        assertEquals(List.of("SELECT 1+/*; DELETE FROM t; */2"), split("SELECT 1+/*; DELETE FROM t; */2"));
        assertEquals(List.of("OPERATOR:+", "COMMENT:/**/", "OPERATOR:-"), kinds("+/**/-", true));
    }

    @Test
    void unterminatedBlockCommentRunsToTheEndAndIsKept() {
        assertEquals(List.of("SELECT 1", "/* ; DELETE FROM t"), split("SELECT 1; /* ; DELETE FROM t"));
        assertEquals(Kind.UNTERMINATED, only("/* /* */", true).kind());
    }

    @Test
    void commentMarkersInsideStringsAreText() {
        assertEquals(
                List.of("SELECT '/*'", "DELETE FROM t", "SELECT '*/'"),
                split("SELECT '/*'; DELETE FROM t; SELECT '*/'"));
        assertEquals(List.of("SELECT '--'", "DELETE FROM t"), split("SELECT '--'; DELETE FROM t"));
        assertEquals(List.of("SELECT $$/*$$", "DELETE FROM t"), split("SELECT $$/*$$; DELETE FROM t"));
        assertEquals(List.of("SELECT \"/*\"", "DELETE FROM t"), split("SELECT \"/*\"; DELETE FROM t"));
    }

    @Test
    void stringsInsideCommentsAreText() {
        assertEquals(List.of("SELECT 1 /* ' */", "DELETE FROM t"), split("SELECT 1 /* ' */; DELETE FROM t"));
        assertEquals(List.of("SELECT 1 -- '", "DELETE FROM t"), split("SELECT 1 -- '\n; DELETE FROM t"));
        assertEquals(List.of("SELECT 1 /* $a$ */", "DELETE FROM t"), split("SELECT 1 /* $a$ */; DELETE FROM t"));
    }

    // ---- dollar quotes ----------------------------------------------------------------------------

    @Test
    void dollarQuotesWithTagsAndEmptyTags() {
        assertEquals(List.of("SELECT $$;$$", "SELECT 2"), split("SELECT $$;$$; SELECT 2"));
        assertEquals(List.of("SELECT $a$ $$; $b$ $a$", "SELECT 2"), split("SELECT $a$ $$; $b$ $a$; SELECT 2"));
        assertEquals(List.of("SELECT $a$ $A$; $a$", "SELECT 2"), split("SELECT $a$ $A$; $a$; SELECT 2"));
        assertEquals(List.of("SELECT $_1$;$_1$"), split("SELECT $_1$;$_1$"));
        // $ab$ inside $b$...$b$ does not close it, the $b$ after it does: $b$ ;$ab$b$
        assertEquals(List.of("SELECT $b$ ;$ab$b$", "SELECT 2"), split("SELECT $b$ ;$ab$b$; SELECT 2"));
    }

    @Test
    void dollarQuoteTagsMayHoldNonAscii() {
        assertEquals(List.of("SELECT $é$;$é$", "SELECT 2"), split("SELECT $é$;$é$; SELECT 2"));
        assertEquals(List.of("SELECT $日本$;$日$;$日本$"), split("SELECT $日本$;$日$;$日本$"));
        assertEquals(Form.DOLLAR, only("$\uD834\uDD1E$;$\uD834\uDD1E$", true).form());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a$b$", "x·$a$", "é$a$", "·$a$", "x\u00A0$a$", "SELECT$a$", "_$a$", "a1$a$"})
    void dollarAfterAnIdentifierCharIsPartOfTheIdentifier(String ident) {
        String sql = "SELECT " + ident + "; DELETE FROM t; $a$";
        List<String> cut = split(sql);
        assertEquals(3, cut.size(), () -> sql + " -> " + cut);
        assertEquals("DELETE FROM t", cut.get(1));
        assertEquals(Kind.IDENT, SqlLexer.tokens(sql, true).get(2).kind());
    }

    @Test
    void dollarAfterOtherTokensStartsAQuote() {
        assertEquals(List.of("SELECT 1$a$; DELETE FROM t; $a$"), split("SELECT 1$a$; DELETE FROM t; $a$"));
        assertEquals(List.of("SELECT \"x\"$a$; DELETE FROM t; $a$"), split("SELECT \"x\"$a$; DELETE FROM t; $a$"));
        assertEquals(List.of("SELECT 'x'$a$; DELETE FROM t; $a$"), split("SELECT 'x'$a$; DELETE FROM t; $a$"));
        assertEquals(List.of("SELECT ($a$; DELETE FROM t; $a$)"), split("SELECT ($a$; DELETE FROM t; $a$)"));
    }

    @Test
    void parametersAreNotDollarQuotes() {
        assertEquals(List.of("PARAM:$1", "OTHER:$", "PUNCT:;"), kinds("$1$;", true));
        assertEquals(List.of("SELECT $1$", "DELETE FROM t", "$$"), split("SELECT $1$; DELETE FROM t; $$"));
        // $1 then $$ opens a quote
        assertEquals(List.of("SELECT $1$$; DELETE FROM t; $$"), split("SELECT $1$$; DELETE FROM t; $$"));
        assertEquals(List.of("PARAM:$12", "PUNCT:,", "JUNK:$1a"), kinds("$12,$1a", true));
        // a $ that fails to open a quote is one char; the tag chars are an identifier
        assertEquals(List.of("OTHER:$", "IDENT:a", "PUNCT:;"), kinds("$a;", true));
    }

    @Test
    void unterminatedDollarQuoteRunsToTheEnd() {
        assertEquals(List.of("SELECT $a$; DELETE FROM t; $b$"), split("SELECT $a$; DELETE FROM t; $b$"));
        assertEquals(Kind.UNTERMINATED, only("$a$ $A$", true).kind());
    }

    // ---- escape strings -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"E", "e"})
    void escapeStringsTakeBackslashEscapes(String e) {
        assertEquals(
                List.of("SELECT " + e + "'\\'; DELETE FROM t; --'"), split("SELECT " + e + "'\\'; DELETE FROM t; --'"));
        assertEquals(
                List.of("SELECT " + e + "'\\\\'", "DELETE FROM t"), split("SELECT " + e + "'\\\\'; DELETE FROM t"));
        assertEquals(List.of("SELECT " + e + "'a''b'", "SELECT 2"), split("SELECT " + e + "'a''b'; SELECT 2"));
        assertEquals(List.of("SELECT " + e + "'\\x27; DELETE'"), split("SELECT " + e + "'\\x27; DELETE'"));
    }

    @Test
    void letterBeforeAQuoteIsAPrefixOnlyAtATokenStart() {
        // xe' is an identifier xe then a standard string: the backslash does not escape
        assertEquals(List.of("SELECT xe'\\'", "DELETE FROM t"), split("SELECT xe'\\'; DELETE FROM t; --'"));
        assertEquals(List.of("IDENT:xe", "STRING:'\\'"), kinds("xe'\\'", true));
        assertEquals(List.of("IDENT:é", "STRING:'\\'"), kinds("é'\\'", true));
    }

    @Test
    void backslashAtTheEndOfAnEscapeStringLeavesItUnterminated() {
        assertEquals(Kind.UNTERMINATED, only("E'\\", true).kind());
        assertEquals(Kind.UNTERMINATED, only("E'abc\\'", true).kind());
    }

    // ---- standard_conforming_strings ------------------------------------------------------------

    @Test
    void withoutStandardConformingStringsPlainStringsTakeEscapes() {
        String sql = "SELECT '\\'; DELETE FROM t; --'";
        assertEquals(List.of("SELECT '\\'", "DELETE FROM t"), split(sql, true));
        assertEquals(List.of(sql), split(sql, false));
        assertEquals(Form.ESCAPE, SqlLexer.tokens("'x'", false).get(0).form());
        assertEquals(Form.STANDARD, SqlLexer.tokens("'x'", true).get(0).form());
    }

    @Test
    void nationalStringsFollowTheSetting() {
        String sql = "SELECT N'\\'; DELETE FROM t; --'";
        assertEquals(List.of("SELECT N'\\'", "DELETE FROM t"), split(sql, true));
        assertEquals(List.of(sql), split(sql, false));
    }

    @Test
    void unicodeBitAndHexStringsNeverTakeBackslashEscapes() {
        for (String prefix : List.of("U&", "u&", "B", "b", "X", "x")) {
            for (boolean scs : new boolean[] {true, false}) {
                String sql = "SELECT " + prefix + "'\\'; DELETE FROM t; --'";
                assertEquals(List.of("SELECT " + prefix + "'\\'", "DELETE FROM t"), split(sql, scs), sql);
            }
        }
    }

    // ---- string continuation --------------------------------------------------------------------

    @Test
    void continuationKeepsTheEscapeMode() {
        // E'a' newline '\'; ...' is one escape string to PostgreSQL
        String sql = "SELECT E'a'\n'\\'; DELETE FROM t; --'";
        assertEquals(List.of(sql), split(sql));
        assertEquals(List.of("IDENT:SELECT", "STRING:E'a'\n'\\'; DELETE FROM t; --'"), kinds(sql, true));
        // and a standard string continues as a standard one
        assertEquals(List.of("SELECT 'a'\n'\\'", "DELETE FROM t"), split("SELECT 'a'\n'\\'; DELETE FROM t; --'"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r", "\r\n", " \n ", "\t\n\f", " -- c\n", "\n-- c\n", "\n\n", " -- ;'\r  "})
    void continuationNeedsANewlineInItsGap(String gap) {
        String sql = "SELECT E'a'" + gap + "'\\'; DELETE FROM t; --'";
        assertEquals(List.of(sql), split(sql));
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "\t", "\f", "/* \n */", " /* c */\n"})
    void withoutANewlineOrWithABlockCommentTheStringEnds(String gap) {
        String sql = "SELECT E'a'" + gap + "'\\'; DELETE FROM t; --'";
        List<String> cut = split(sql);
        assertEquals(2, cut.size(), () -> sql + " -> " + cut);
        assertEquals("DELETE FROM t", cut.get(1));
    }

    @Test
    void aQuoteRightAfterTheClosingQuoteIsADoubledQuote() {
        String sql = "SELECT E'a''\\'; DELETE FROM t; --'";
        assertEquals(List.of(sql), split(sql));
    }

    @Test
    void continuationOfBitStringsAndUnicodeStrings() {
        assertEquals(List.of("SELECT B'1'\n'; DELETE FROM t; --'"), split("SELECT B'1'\n'; DELETE FROM t; --'"));
        assertEquals(List.of("STRING:B'1'", "STRING:'0'"), kinds("B'1''0'", true)); // no '' inside a bit string
        assertEquals(List.of("SELECT U&'a'\n'\\'", "DELETE FROM t"), split("SELECT U&'a'\n'\\'; DELETE FROM t; --'"));
    }

    // ---- quoted identifiers ---------------------------------------------------------------------

    @Test
    void quotedIdentifiersWithDoubledQuotes() {
        assertEquals(List.of("SELECT \"a\"\"; DELETE FROM t; --\""), split("SELECT \"a\"\"; DELETE FROM t; --\""));
        assertEquals(List.of("SELECT \"a;b\"", "SELECT 2"), split("SELECT \"a;b\"; SELECT 2"));
        SqlToken t = only("\"Ab\"\"c\"", true);
        assertEquals(Kind.QUOTED_IDENT, t.kind());
        assertEquals("Ab\"c", t.name());
        assertEquals(Kind.UNTERMINATED, only("\"a\"\"", true).kind());
    }

    @Test
    void unicodeIdentifiersAndUescape() {
        assertEquals(
                "data", SqlLexer.tokens("U&\"d\\0061t\\+000061\"", true).get(0).name());
        assertEquals(
                "data",
                SqlLexer.tokens("U&\"d!0061t!+000061\" UESCAPE '!'", true)
                        .get(0)
                        .name());
        assertEquals("a\\", SqlLexer.tokens("U&\"a\\\\\"", true).get(0).name());
        assertEquals(
                "\uD834\uDD1E",
                SqlLexer.tokens("U&\"\\D834\\DD1E\"", true).get(0).name());
        assertNull(SqlLexer.tokens("U&\"\\D834\"", true).get(0).name()); // lone surrogate
        assertNull(SqlLexer.tokens("U&\"\\zz\"", true).get(0).name());
        assertNull(SqlLexer.tokens("U&\"a\" UESCAPE '+'", true).get(0).name());
        assertEquals(
                List.of("SELECT U&\"a;\" UESCAPE '!'", "SELECT 2"), split("SELECT U&\"a;\" UESCAPE '!'; SELECT 2"));
    }

    @Test
    void unicodeStringsWithUescape() {
        assertEquals(
                List.of("SELECT U&'!0041;' UESCAPE '!'", "SELECT 2"), split("SELECT U&'!0041;' UESCAPE '!'; SELECT 2"));
        // u& before anything but a quote is the identifier u, then an operator
        assertEquals(List.of("IDENT:u", "OPERATOR:&", "IDENT:x"), kinds("u&x", true));
    }

    // ---- split: empties, offsets, grouping --------------------------------------------------------

    @Test
    void emptyAndCommentOnlyPiecesAreDropped() {
        assertEquals(List.of(), split(""));
        assertEquals(List.of(), split(" ;; ; \r\n"));
        assertEquals(List.of(), split("/* a */ ; -- b\n ; /* /* */ */"));
        assertEquals(List.of("SELECT 1"), split(";;SELECT 1;;"));
        assertEquals(List.of("/* a */ SELECT 1 -- b"), split("  /* a */ SELECT 1 -- b\n; /* c */"));
    }

    @Test
    void offsetsPointIntoTheText() {
        String sql = " \r\nSELECT 1 ;\t/* x */ SELECT 'é;' ;  SELECT 3";
        List<SqlStatement> s = SqlLexer.split(sql, true);
        assertEquals(
                List.of(
                        new SqlStatement("SELECT 1", 3),
                        new SqlStatement("/* x */ SELECT 'é;'", 14),
                        new SqlStatement("SELECT 3", 37)),
                s);
    }

    @Test
    void onlyPostgresWhitespaceIsTrimmed() {
        // U+00A0 is an identifier char to PostgreSQL, so it stays in the statement
        assertEquals(List.of("\u00A0SELECT 1"), split(" \u00A0SELECT 1 ;"));
        assertEquals(List.of("SELECT 1"), split("\013\fSELECT 1\013"));
    }

    @Test
    void semicolonsInsideParenthesesStayInTheStatementAsPsqlSends() {
        assertEquals(
                List.of("CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2)", "SELECT 3"),
                split("CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2); SELECT 3"));
        assertEquals(List.of("SELECT 1)", "SELECT 2"), split("SELECT 1); SELECT 2"));
    }

    @Test
    void beginAtomicBodiesStayInOneStatementAsPsqlSends() {
        String f = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
                + "SELECT CASE WHEN true THEN 1 END; END";
        assertEquals(List.of(f, "SELECT 3"), split(f + "; SELECT 3"));
        assertEquals(List.of("BEGIN", "DELETE FROM t", "END"), split("BEGIN; DELETE FROM t; END"));
    }

    @Test
    void oldSplitReturnsTexts() {
        assertEquals(
                List.of("SELECT ';'", "SELECT $x$;$x$", "SELECT 1 -- ;"),
                SqlLexer.split("SELECT ';'; SELECT $x$;$x$ ;SELECT 1 -- ;\n ; /* only a comment */"));
    }

    private static List<String> kinds(String sql, boolean scs) {
        return nonWhitespace(sql, scs);
    }
}
