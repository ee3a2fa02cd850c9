package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.pg.sql.FromSource.Kind;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lineage of result columns (the mask planner's input), predicate columns, aliases and referenced columns. */
class SqlAnalyzerLineageTest {

    private static final ColumnRef EMAIL = new ColumnRef("customers", "email");
    private final SqlAnalyzer analyzer = new SqlAnalyzer(100_000);

    private StatementInfo one(String sql) {
        List<StatementInfo> all = analyzer.analyze(sql);
        assertEquals(1, all.size());
        return all.get(0);
    }

    private OutputLineage only(String sql) {
        List<OutputLineage> outputs = one(sql).outputs();
        assertEquals(1, outputs.size(), () -> sql + " -> " + outputs);
        return outputs.get(0);
    }

    /** Every expression that computes from customers.email carries it, whatever the output is called. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT email FROM customers",
                "SELECT Email AS x FROM Customers",
                "SELECT c.email FROM customers c",
                "SELECT \"email\" FROM customers",
                "SELECT replace(email, '@', ' at ') AS x FROM customers",
                "SELECT reverse(email) FROM customers",
                "SELECT encode(convert_to(email, 'UTF8'), 'base64') FROM customers",
                "SELECT upper(c.email) || '!' FROM customers c",
                "SELECT email::bytea FROM customers",
                "SELECT CAST(email AS varchar(3)) FROM customers",
                "SELECT CASE WHEN id > 1 THEN email ELSE 'x' END FROM customers",
                "SELECT coalesce(phone, email) FROM customers",
                "SELECT max(email) FROM customers",
                "SELECT string_agg(email, ',') FROM customers",
                "SELECT first_value(email) OVER (ORDER BY id) FROM customers",
                "SELECT (SELECT max(email) FROM customers)",
                "SELECT (SELECT x.email FROM customers x WHERE x.id = o.cid) FROM orders o",
                "SELECT ARRAY(SELECT email FROM customers)",
                "SELECT s.x FROM (SELECT lower(email) AS x FROM customers) s",
                "SELECT x FROM (SELECT email AS x FROM customers) s",
                "SELECT s.y FROM (SELECT email FROM customers) AS s(y)",
                "WITH q AS (SELECT email AS e FROM customers) SELECT upper(e) FROM q",
                "WITH q(e) AS (SELECT email FROM customers) SELECT q.e FROM q",
                "WITH a AS (SELECT email FROM customers), b AS (SELECT email AS m FROM a) SELECT m FROM b",
                "SELECT json_build_object('e', email) FROM customers",
                "SELECT format('%s', email) FROM customers",
                "SELECT email IN (SELECT email FROM customers) FROM customers",
                "SELECT x FROM (VALUES (1)) v(y), LATERAL (SELECT email AS x FROM customers) l"
            })
    void computedColumnsCarryTheirSource(String sql) {
        OutputLineage o = only(sql);
        assertTrue(o.columns().contains(EMAIL), () -> sql + " -> " + o);
        assertFalse(o.star());
    }

    @Test
    void eachUnionBranchFeedsItsPosition() {
        List<OutputLineage> out = one("SELECT id, 'a' FROM customers UNION ALL SELECT 1, email FROM customers")
                .outputs();
        assertEquals(List.of(new ColumnRef("customers", "id")), out.get(0).columns());
        assertEquals(List.of(EMAIL), out.get(1).columns());
        OutputLineage cte =
                only("WITH u AS (SELECT phone FROM customers UNION SELECT email FROM customers) SELECT * FROM u");
        assertTrue(cte.columns().contains(EMAIL));
        assertTrue(cte.star());
    }

    /** Whole-row references carry the table: row_to_json(c), c::text, json_agg(customers), ROW(c.*) … */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT row_to_json(c) FROM customers c",
                "SELECT c::text FROM customers c",
                "SELECT json_agg(customers) FROM customers",
                "SELECT ROW(c.*) FROM customers c",
                "SELECT to_json(c.*) FROM customers c",
                "SELECT customers FROM customers",
                "SELECT (c).email FROM customers c",
                "SELECT row_to_json(s) FROM (SELECT * FROM customers) s",
                "SELECT (SELECT json_agg(x) FROM customers x)"
            })
    void wholeRowsCarryTheirTable(String sql) {
        OutputLineage o = only(sql);
        assertEquals(List.of("customers"), o.wholeRows(), () -> sql + " -> " + o);
        assertFalse(o.star());
    }

    @Test
    void starsExpandToTheirTables() {
        OutputLineage all = only("SELECT * FROM customers");
        assertTrue(all.star());
        assertEquals(List.of("customers"), all.wholeRows());
        OutputLineage one = only("SELECT c.* FROM customers c, orders o");
        assertTrue(one.star());
        assertEquals(List.of("customers"), one.wholeRows());
        OutputLineage derived = only("SELECT * FROM (SELECT lower(email) AS e FROM customers) s");
        assertTrue(derived.star());
        assertTrue(derived.columns().contains(EMAIL), "a star over a sub-select carries what it computes from");
        assertTrue(only("TABLE customers").star());
        assertEquals(List.of("customers"), only("TABLE customers").wholeRows());
    }

    @Test
    void countStarCarriesNoValue() {
        OutputLineage o = only("SELECT count(*) FROM customers");
        assertEquals(List.of(), o.columns());
        assertEquals(List.of(), o.wholeRows());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT query_to_xml('select email from customers', true, true, '')",
                "SELECT pg_catalog.query_to_xml('x', true, true, '')",
                "SELECT table_to_xml('customers', true, true, '')",
                "SELECT * FROM dblink('db', 'select email from customers') AS t(e text)",
                "SELECT x.a FROM customers AS x(a, b)",
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"
            })
    void unknowableLineageIsOpaque(String sql) {
        assertTrue(only(sql).opaque(), sql);
    }

    @Test
    void plainLineageIsNotOpaque() {
        assertFalse(only("SELECT lower(email) FROM customers").opaque());
        assertEquals(
                List.of("lower"), only("SELECT lower(email) FROM customers").calls());
    }

    @Test
    void outputsOfCursorsCopyPreparedAndReturning() {
        assertEquals(
                List.of(EMAIL),
                one("DECLARE c CURSOR FOR SELECT email FROM customers")
                        .outputs()
                        .get(0)
                        .columns());
        assertEquals(
                List.of(EMAIL),
                one("COPY (SELECT email FROM customers) TO STDOUT")
                        .outputs()
                        .get(0)
                        .columns());
        assertEquals(
                List.of(new ColumnRef("customers", "id"), EMAIL),
                one("COPY customers (id, email) TO STDOUT").outputs().stream()
                        .map(o -> o.columns().get(0))
                        .toList());
        assertTrue(one("COPY customers TO STDOUT").outputs().get(0).star());
        assertEquals(
                List.of(EMAIL),
                one("PREPARE p AS SELECT email FROM customers WHERE id = $1")
                        .outputs()
                        .get(0)
                        .columns());
        assertEquals(
                List.of(EMAIL),
                one("UPDATE customers SET phone = '1' WHERE id = 1 RETURNING email")
                        .outputs()
                        .get(0)
                        .columns());
        assertEquals(
                List.of("customers"),
                one("WITH d AS (DELETE FROM customers RETURNING *) SELECT row_to_json(d) FROM d")
                        .outputs()
                        .get(0)
                        .wholeRows());
    }

    @ParameterizedTest
    @ValueSource(strings = {"SET search_path TO public", "BEGIN", "LISTEN x", "INSERT INTO t VALUES (1)"})
    void statementsWithoutRowsHaveNoOutputs(String sql) {
        assertNull(one(sql).outputs(), sql);
    }

    @Test
    void predicateColumnsAreThoseThatFilterOrOrder() {
        assertEquals(
                List.of("email"),
                one("SELECT id FROM customers WHERE email LIKE 'a%'").predicateColumns());
        assertEquals(
                List.of("email"), one("SELECT id FROM customers ORDER BY email").predicateColumns());
        assertEquals(
                List.of("phone"),
                one("SELECT count(*) FROM customers GROUP BY id HAVING max(phone) > '5'")
                        .predicateColumns());
        assertEquals(
                List.of("cid", "id", "email"),
                one("SELECT o.id FROM orders o JOIN customers c ON o.cid = c.id AND c.email = 'x'")
                        .predicateColumns());
        assertEquals(
                List.of("email"),
                one("SELECT 1 WHERE EXISTS (SELECT 1 FROM customers WHERE email = 'x')")
                        .predicateColumns());
        assertEquals(
                List.of("email"),
                one("SELECT 1 FROM (SELECT email AS e FROM customers) s WHERE s.e = 'x'")
                        .predicateColumns(),
                "through a sub-select to the source column");
        assertEquals(
                List.of("email"), one("DELETE FROM customers WHERE email = 'x'").predicateColumns());
        assertEquals(List.of(), one("SELECT email FROM customers").predicateColumns());
    }

    @Test
    void aliasesSayWhatEachNameIs() {
        StatementInfo s =
                one("WITH q AS (SELECT 1) SELECT * FROM customers c, q, (SELECT 1) d, generate_series(1, 2) g");
        assertEquals(new FromSource(Kind.TABLE, "customers"), s.aliases().get("c"));
        assertEquals(new FromSource(Kind.CTE, "q"), s.aliases().get("q"));
        assertEquals(Kind.DERIVED, s.aliases().get("d").kind());
        assertEquals(Kind.FUNCTION, s.aliases().get("g").kind());
    }

    @Test
    void referencedColumnsCoverTheWholeStatement() {
        StatementInfo s = one("SELECT email::int FROM customers WHERE phone = (SELECT max(total)::text FROM orders)");
        assertTrue(s.referencedColumns().contains(EMAIL));
        assertTrue(s.referencedColumns().contains(new ColumnRef("customers", "phone")));
        // in a sub-select a bare name may still be the enclosing query's column: no table is assumed
        assertTrue(s.referencedColumns().contains(new ColumnRef(null, "total")));
        assertTrue(one("SELECT (SELECT max(o.total) FROM orders o) FROM customers")
                .referencedColumns()
                .contains(new ColumnRef("orders", "total")));
        assertTrue(one("SELECT c::int FROM customers c").referencedColumns().contains(new ColumnRef("customers", "*")));
        assertTrue(one("UPDATE customers SET phone = email::int")
                .referencedColumns()
                .contains(EMAIL));
    }

    @Test
    void anUnqualifiedColumnWithSeveralTablesInScopeHasNoQualifier() {
        OutputLineage o = only("SELECT email FROM customers, orders");
        assertEquals(List.of(new ColumnRef(null, "email")), o.columns());
    }
}
