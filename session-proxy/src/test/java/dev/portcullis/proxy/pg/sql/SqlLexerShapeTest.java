package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.pg.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the lexer reads beyond statement boundaries: identifier names, numbers, operators, the shape
 * used as a decision-cache key, the text without comments, and time linear in 60 KB of
 * pathological input.
 */
class SqlLexerShapeTest {

    private static List<String> kinds(String sql, boolean scs) {
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

    private static int splitCount(String sql) {
        return SqlLexer.split(sql, true).size();
    }

    // ---- identifiers ----------------------------------------------------------------------------

    @Test
    void identifiersFoldAsciiOnlyAndTruncateTo63Bytes() {
        assertEquals("select", only("SeLeCt", true).name());
        assertEquals("École", only("ÉcolE", true).name());
        String longName = "A".repeat(70);
        assertEquals("a".repeat(63), only(longName, true).name());
        String wide = "é".repeat(40); // 80 bytes: cut to 31 chars (62 bytes), never inside a character
        assertEquals("é".repeat(31), only(wide, true).name());
        assertEquals("a$b$", only("a$b$", true).name());
    }

    @Test
    void everyNonAsciiCharIsAnIdentifierChar() {
        for (char c : new char[] {'\u0080', '\u00A0', '\u00B7', '\u2028', '\u3000', '\uFEFF', '\uFF1B'}) {
            String sql = "SELECT x" + c + "$a$; DELETE FROM t; $a$";
            assertEquals(3, splitCount(sql), sql);
            assertEquals(Kind.IDENT, only(c + "b", true).kind());
        }
    }

    // ---- numbers and operators ------------------------------------------------------------------

    @Test
    void numbersFollowScanL() {
        assertEquals(List.of("NUMBER:1", "PUNCT:..", "NUMBER:10"), kinds("1..10", true));
        assertEquals(
                List.of("NUMBER:1.5e3", "NUMBER:.5", "NUMBER:0x1F", "NUMBER:0o17", "NUMBER:0b101", "NUMBER:1_000"),
                kinds("1.5e3 .5 0x1F 0o17 0b101 1_000", true));
        assertEquals(
                List.of("JUNK:1abc", "JUNK:0x", "JUNK:1e+", "JUNK:1e", "JUNK:1.5x", "JUNK:1__0"),
                kinds("1abc 0x 1e+ 1e 1.5x 1__0", true));
        assertEquals(List.of("NUMBER:1", "STRING:$a$;$a$"), kinds("1$a$;$a$", true));
    }

    @Test
    void operatorsFollowScanL() {
        assertEquals(List.of("OPERATOR:=", "OPERATOR:-"), kinds("=-", true));
        assertEquals(List.of("OPERATOR:@-"), kinds("@-", true));
        assertEquals(List.of("OPERATOR:*", "OPERATOR:+", "OPERATOR:-", "OPERATOR:+"), kinds("*+-+", true));
        assertEquals(List.of("OPERATOR:?|"), kinds("?|", true));
        assertEquals(
                List.of("PUNCT:::", "PUNCT::=", "PUNCT::", "OPERATOR:<>", "OPERATOR:!="), kinds(":: := : <> !=", true));
    }

    // ---- shape ----------------------------------------------------------------------------------

    @Test
    void shapeErasesLiteralValuesOnly() {
        assertEquals(
                SqlLexer.shape("SELECT a FROM t WHERE id = 1"),
                SqlLexer.shape("SELECT  a FROM t /* x */ WHERE id=99.5"));
        assertEquals(SqlLexer.shape("SELECT 'a', $$b$$"), SqlLexer.shape("SELECT E'x\\'', $q$ ; $q$"));
        assertEquals(
                "SELECT ? , '?' , U&'?' , B'?' , X'?' , N'?' , $1",
                SqlLexer.shape("SELECT 1, 'a', U&'b', B'1', X'F', N'c', $1"));
    }

    @Test
    void shapeKeepsEverythingThatIsNotALiteralValue() {
        List<String> distinct = List.of(
                "SELECT a FROM t",
                "SELECT b FROM t",
                "select a from t",
                "SELECT \"a\" FROM t",
                "SELECT a FROM t2",
                "SELECT a ? b",
                "SELECT a 1 b",
                "SELECT a ?? b",
                "SELECT a ? ? b",
                "SELECT a + 1",
                "SELECT a - 1",
                "SELECT 1",
                "SELECT '1'",
                "SELECT B'1'",
                "SELECT $1",
                "SELECT $2",
                "SELECT x·$a$",
                "SELECT 1; SELECT 2",
                "SELECT 1, 2",
                "SELECT f(1)",
                "SELECT g(1)",
                "SELECT 'a' UESCAPE 'b'",
                "SELECT U&'a' UESCAPE 'b'");
        for (int i = 0; i < distinct.size(); i++) {
            for (int j = i + 1; j < distinct.size(); j++) {
                assertNotEquals(
                        SqlLexer.shape(distinct.get(i)),
                        SqlLexer.shape(distinct.get(j)),
                        distinct.get(i) + " / " + distinct.get(j));
            }
        }
    }

    @Test
    void shapeFollowsTheSetting() {
        String sql = "SELECT '\\'; DELETE FROM t; --'";
        assertEquals("SELECT '?' ; DELETE FROM t ;", SqlLexer.shape(sql, true));
        assertEquals("SELECT '?'", SqlLexer.shape(sql, false));
    }

    // ---- withoutComments ------------------------------------------------------------------------

    @Test
    void withoutCommentsReplacesEachCommentByOneSpace() {
        assertEquals("SELECT   1  ", SqlLexer.withoutComments("SELECT /* a /* b */ */ 1 -- c", true));
        assertEquals("SELECT 1+ 2", SqlLexer.withoutComments("SELECT 1+/*x*/2", true));
        assertEquals("SELECT '--', $$/*$$", SqlLexer.withoutComments("SELECT '--', $$/*$$", true));
        // a comment in a continued string's gap goes too; the newline that makes the continuation stays
        assertEquals("SELECT 'a'  \n'b'", SqlLexer.withoutComments("SELECT 'a' -- c\n'b'", true));
        // not a comment to PostgreSQL: kept
        assertEquals("SELECT 1 /* x", SqlLexer.withoutComments("SELECT 1 /* x", true));
        assertEquals("SELECT '\\'  ", SqlLexer.withoutComments("SELECT '\\' --'", true));
        assertEquals("SELECT '\\' --'", SqlLexer.withoutComments("SELECT '\\' --'", false));
    }

    // ---- tokens ---------------------------------------------------------------------------------

    @Test
    void tokensCoverTheWholeText() {
        for (String seed : SqlTextGenerator.SEEDS) {
            for (boolean scs : new boolean[] {true, false}) {
                int at = 0;
                for (SqlToken t : SqlLexer.tokens(seed, scs)) {
                    assertEquals(at, t.start(), seed);
                    assertTrue(t.end() > t.start(), seed);
                    at = t.end();
                }
                assertEquals(seed.length(), at, seed);
            }
        }
    }

    // ---- pathological input stays linear --------------------------------------------------------

    @Test
    void pathologicalInputsOf60KiloBytes() {
        int n = 60_000;
        List<String> inputs = List.of(
                "/*".repeat(n / 2),
                "/*".repeat(n / 4) + "*/".repeat(n / 4),
                "'".repeat(n),
                "''".repeat(n / 2) + "'",
                "E'" + "\\'".repeat(n / 2),
                "'a'\n".repeat(n / 4),
                "$a$".repeat(n / 3),
                "$" + "a".repeat(n / 2) + "$" + ("$" + "a".repeat(100)).repeat(n / 202),
                "+-".repeat(n / 2),
                "*" + "+-".repeat(n / 2),
                "+/**/".repeat(n / 5),
                "-".repeat(n),
                "\"".repeat(n),
                "x".repeat(n),
                "1".repeat(n) + "e",
                ";".repeat(n),
                "(".repeat(n),
                "--\r".repeat(n / 3),
                "E'a'\n'".repeat(n / 6),
                "SELECT 1; ".repeat(n / 10));
        for (String in : inputs) {
            for (boolean scs : new boolean[] {true, false}) {
                List<SqlToken> tokens = SqlLexer.tokens(in, scs);
                assertEquals(in.length(), tokens.get(tokens.size() - 1).end());
                SqlLexer.split(in, scs);
                SqlLexer.shape(in, scs);
                assertEquals(in.length(), SqlLexer.withoutComments(in, scs).length() + commentSavings(in, scs));
            }
        }
    }

    /** How many chars withoutComments removes: each comment's length minus the one space. */
    private static int commentSavings(String sql, boolean scs) {
        int saved = 0;
        for (SqlToken t : SqlLexer.tokens(sql, scs)) {
            if (t.kind() == Kind.COMMENT) {
                saved += t.end() - t.start() - 1;
            }
        }
        return saved;
    }
}
