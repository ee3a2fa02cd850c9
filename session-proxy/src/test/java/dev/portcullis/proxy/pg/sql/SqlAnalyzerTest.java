package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlAnalyzerTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(100_000);

    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        assertEquals(
                List.of("SELECT ';'", "SELECT $x$;$x$", "SELECT 1 -- ;"),
                SqlLexer.split("SELECT ';'; SELECT $x$;$x$ ;SELECT 1 -- ;\n ; /* only a comment */"));
    }

    @Test
    void typesTablesAndWhere() {
        List<SqlAnalyzer.StatementInfo> s = analyzer.analyze(
                "DELETE FROM orders; DELETE FROM orders WHERE id = 1; DROP TABLE customers; SELECT * FROM a JOIN b ON a.id = b.id");
        assertEquals("DELETE", s.get(0).type());
        assertFalse(s.get(0).hasWhere());
        assertTrue(s.get(1).hasWhere());
        assertEquals(List.of("orders"), s.get(1).tables());
        assertEquals("DROP", s.get(2).type());
        assertEquals(List.of("customers"), s.get(2).tables());
        assertEquals(List.of("a", "b"), s.get(3).tables());
    }

    @Test
    void unreadableTextIsUnknownButKept() {
        SqlAnalyzer.StatementInfo s =
                analyzer.analyze("FROBNICATE the database").get(0);
        assertEquals(SqlAnalyzer.UNKNOWN, s.type());
        assertEquals("FROBNICATE the database", s.text());
    }

    @Test
    void shapeIgnoresLiteralsButNotIdentifiers() {
        assertEquals(
                SqlLexer.shape("SELECT abalance FROM pgbench_accounts WHERE aid = 123"),
                SqlLexer.shape("SELECT  abalance FROM pgbench_accounts WHERE aid = 98765"));
        assertEquals(
                SqlLexer.shape("SELECT * FROM t WHERE s = 'a'"), SqlLexer.shape("SELECT * FROM t WHERE s = 'b''c'"));
        assertFalse(SqlLexer.shape("SELECT * FROM t1").equals(SqlLexer.shape("SELECT * FROM t2")));
    }
}
