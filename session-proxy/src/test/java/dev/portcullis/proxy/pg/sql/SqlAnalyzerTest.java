package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.pg.sql.FunctionVolatility.Volatility;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlAnalyzerTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(100_000);

    private StatementInfo one(String sql) {
        List<StatementInfo> all = analyzer.analyze(sql);
        assertEquals(1, all.size(), () -> "statements of " + sql);
        return all.get(0);
    }

    /** A catalog as pg_proc would answer for the few functions these tests call. */
    static final FunctionVolatility CATALOG = (schema, name) -> {
        if (schema != null && !schema.equals("pg_catalog")) {
            return Volatility.UNKNOWN;
        }
        return switch (name) {
            case "lower", "md5", "count", "sum", "max", "replace", "length", "row_to_json", "json_agg" ->
                Volatility.IMMUTABLE;
            case "now", "current_setting", "txid_current", "query_to_xml", "generate_series" -> Volatility.STABLE;
            case "setval", "nextval", "random", "lo_from_bytea", "pg_notify", "set_config", "pg_sleep" ->
                Volatility.VOLATILE;
            default -> Volatility.UNKNOWN;
        };
    };

    @Test
    void splitsOnTopLevelSemicolonsOnly() {
        assertEquals(
                List.of("SELECT ';'", "SELECT $x$;$x$", "SELECT 1 -- ;"),
                SqlLexer.split("SELECT ';'; SELECT $x$;$x$ ;SELECT 1 -- ;\n ; /* only a comment */"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ALTER TABLE orders DROP COLUMN note",
                "alter table orders drop constraint orders_pkey",
                "ALTER TABLE orders /* c */ DROP\r\nCOLUMN IF EXISTS note CASCADE",
                "ALTER TABLE orders DETACH PARTITION p1, DROP COLUMN x",
                "ALTER TABLE ONLY orders ALTER COLUMN amount DROP DEFAULT"
            })
    void alterThatDropsShowsTheKeywordToPolicy(String sql) {
        StatementInfo s = one(sql);
        assertEquals("ALTER", s.type());
        assertTrue(s.notReadOnly().contains("keyword DROP"), () -> sql + ": " + s.notReadOnly());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ALTER TABLE orders ADD COLUMN dropped_at timestamptz",
                "ALTER TABLE orders ADD COLUMN \"drop\" int",
                "ALTER TABLE orders RENAME COLUMN note TO drop_note",
                "ALTER TABLE orders ALTER COLUMN note SET DEFAULT 'DROP'"
            })
    void alterWithoutDropDoesNot(String sql) {
        StatementInfo s = one(sql);
        assertEquals("ALTER", s.type());
        assertFalse(s.notReadOnly().contains("keyword DROP"), () -> sql + ": " + s.notReadOnly());
    }

    @Test
    void typesTablesAndWhere() {
        List<StatementInfo> s = analyzer.analyze(
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
        StatementInfo s = one("FROBNICATE the database");
        assertEquals(SqlAnalyzer.UNKNOWN, s.type());
        assertEquals("FROBNICATE the database", s.text());
        assertEquals(List.of(SqlAnalyzer.UNPARSEABLE), s.notReadOnly());
        assertFalse(s.readOnly(CATALOG));
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

    @Nested
    class Effects {

        /** Each write, however dressed: "sql|a reason it gives". */
        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d|data-modifying CTE",
                    "with D as (insert into T values (1) returning *) select * from d|data-modifying CTE",
                    "WITH d AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM d|data-modifying CTE",
                    "WITH a AS (WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d) SELECT * FROM a|data-modifying CTE",
                    "SELECT * FROM (WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d) s|data-modifying CTE",
                    "SELECT * INTO copy FROM t|SELECT INTO",
                    "select * into copy from t where a = 1|SELECT INTO",
                    "CREATE TABLE x AS SELECT * FROM t|CREATE TABLE AS",
                    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a|MERGE",
                    "CALL p(1)|CALL",
                    "call public.p()|CALL",
                    "DO $$BEGIN DELETE FROM t; END$$|DO",
                    "DO LANGUAGE plpgsql 'BEGIN NULL; END'|DO",
                    "EXECUTE s1(1)|EXECUTE",
                    "PREPARE p AS DELETE FROM t|DELETE",
                    "PREPARE p(int) AS UPDATE t SET a = $1|UPDATE",
                    "DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE|FOR UPDATE",
                    "COPY t FROM STDIN|COPY FROM",
                    "copy t (a, b) from stdin with (format csv)|COPY FROM",
                    "COPY t FROM PROGRAM 'id'|COPY PROGRAM",
                    "COPY t TO PROGRAM 'cat'|COPY PROGRAM",
                    "COPY t TO '/tmp/x'|COPY with a server file",
                    "COPY (DELETE FROM t RETURNING *) TO STDOUT|DELETE",
                    "COPY (SELECT * FROM t FOR UPDATE) TO STDOUT|FOR UPDATE",
                    "EXPLAIN ANALYZE DELETE FROM t|DELETE",
                    "EXPLAIN ANALYSE VERBOSE DELETE FROM t|DELETE",
                    "EXPLAIN (ANALYZE, VERBOSE) DELETE FROM t|DELETE",
                    "EXPLAIN (ANALYZE true) INSERT INTO t VALUES (1)|INSERT",
                    "EXPLAIN (FORMAT JSON, ANALYZE on) UPDATE t SET a = 1|UPDATE",
                    "EXPLAIN ANALYZE WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d|data-modifying CTE",
                    "SELECT * FROM t FOR UPDATE|FOR UPDATE",
                    "SELECT * FROM t FOR SHARE|FOR SHARE",
                    "SELECT * FROM t FOR NO KEY UPDATE|FOR NO KEY UPDATE",
                    "SELECT * FROM t FOR KEY SHARE|FOR KEY SHARE",
                    "SELECT * FROM t FOR UPDATE OF t SKIP LOCKED|FOR UPDATE",
                    "SELECT * FROM (SELECT * FROM t FOR UPDATE) s|FOR UPDATE",
                    "SELECT (SELECT a FROM t FOR UPDATE)|FOR UPDATE",
                    "LOCK TABLE t IN ACCESS EXCLUSIVE MODE|LOCK",
                    "lock t|LOCK",
                    "NOTIFY chan, 'x'|NOTIFY",
                    "SET ROLE postgres|sets role",
                    "set role to postgres|sets role",
                    "SET \"role\" = postgres|sets role",
                    "SET SESSION AUTHORIZATION postgres|sets session_authorization",
                    "SET SESSION SESSION AUTHORIZATION DEFAULT|sets session_authorization",
                    "RESET ROLE|sets role",
                    "RESET SESSION AUTHORIZATION|sets session_authorization",
                    "RESET transaction_read_only|sets transaction_read_only",
                    "RESET ALL|RESET ALL",
                    "DISCARD ALL|DISCARD ALL",
                    "DISCARD TEMP|DISCARD TEMP",
                    "BEGIN READ WRITE|READ WRITE transaction",
                    "BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE|READ WRITE transaction",
                    "START TRANSACTION READ WRITE|READ WRITE transaction",
                    "SET TRANSACTION READ WRITE|READ WRITE transaction",
                    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE|READ WRITE transaction",
                    "SET transaction_read_only = off|sets transaction_read_only",
                    "SET default_transaction_read_only TO 'false'|sets default_transaction_read_only",
                    "SET default_transaction_read_only TO DEFAULT|sets default_transaction_read_only",
                    "SET client_encoding = 'SJIS'|sets client_encoding",
                    "SET NAMES 'GBK'|sets client_encoding",
                    "SET standard_conforming_strings = off|sets standard_conforming_strings",
                    "SET search_path = public, pg_catalog|search_path puts pg_catalog after another schema",
                    "SET search_path TO 'public, pg_catalog'|search_path puts pg_catalog after another schema",
                    "COMMIT PREPARED 'x'|two-phase commit",
                    "PREPARE TRANSACTION 'x'|two-phase commit",
                    "VACUUM t|VACUUM",
                    "INSERT INTO t VALUES (1)|INSERT",
                    "UPDATE t SET a = 1|UPDATE",
                    "DELETE FROM t|DELETE",
                    "TRUNCATE t, u CASCADE|TRUNCATE",
                    "SELECT update FROM t|keyword UPDATE",
                    "SELECT a COLLATE \"C\" FROM t|unparseable",
                    "SELECT $a$ x $a$|unparseable",
                    "SELECT $a$;$a$, setval('s', 1)|unparseable",
                    "SELECT 'unterminated|unparseable"
                })
        void writesAreNotReadOnly(String sql, String reason) {
            StatementInfo s = one(sql);
            assertFalse(s.structurallyReadOnly(), () -> sql + " -> " + s);
            assertTrue(s.notReadOnly().contains(reason), () -> sql + " -> " + s.notReadOnly());
            assertFalse(s.readOnly(CATALOG));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "SELECT * FROM t",
                    "select a, b from t where c = 1 order by a limit 3",
                    "SELECT \"update\", \"delete\" FROM t",
                    "SELECT 1 AS delete",
                    "SELECT t.update FROM t",
                    "SELECT 'DELETE FROM t; INSERT INTO u' AS note",
                    "SELECT $$ UPDATE t SET a = 1 $$",
                    "SELECT 1 /* DELETE FROM t */",
                    "SELECT 1 -- INTO copy\n",
                    "WITH d AS (SELECT * FROM t) SELECT * FROM d",
                    "SELECT a FROM t UNION SELECT b FROM u",
                    "VALUES (1), (2)",
                    "TABLE t",
                    "EXPLAIN DELETE FROM t",
                    "EXPLAIN (ANALYZE false) DELETE FROM t",
                    "EXPLAIN (ANALYZE off, VERBOSE) UPDATE t SET a = 1",
                    "EXPLAIN VERBOSE INSERT INTO t VALUES (1)",
                    "EXPLAIN ANALYZE SELECT * FROM t",
                    "DECLARE c CURSOR FOR SELECT * FROM t",
                    "DECLARE c BINARY NO SCROLL CURSOR WITH HOLD FOR SELECT * FROM t",
                    "PREPARE p(int) AS SELECT * FROM t WHERE a = $1",
                    "COPY t TO STDOUT",
                    "COPY t (a, b) TO STDOUT WITH (FORMAT csv, HEADER)",
                    "COPY (SELECT a FROM t) TO STDOUT",
                    "BEGIN",
                    "BEGIN ISOLATION LEVEL REPEATABLE READ",
                    "START TRANSACTION READ ONLY",
                    "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
                    "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
                    "SET default_transaction_read_only = on",
                    "SET search_path TO public",
                    "SET search_path = pg_catalog, public",
                    "SET statement_timeout = '5s'",
                    "SET TIME ZONE 'UTC'",
                    "RESET search_path",
                    "SHOW search_path",
                    "SHOW ALL",
                    "LISTEN chan",
                    "UNLISTEN *",
                    "FETCH 10 FROM c",
                    "MOVE NEXT IN c",
                    "CLOSE c",
                    "DEALLOCATE ALL",
                    "DISCARD PLANS",
                    "COMMIT",
                    "END",
                    "ROLLBACK TO SAVEPOINT a",
                    "SAVEPOINT a",
                    "RELEASE SAVEPOINT a"
                })
        void readsAreStructurallyReadOnly(String sql) {
            StatementInfo s = one(sql);
            assertTrue(s.structurallyReadOnly(), () -> sql + " -> " + s.notReadOnly());
            assertEquals(List.of(), s.writes(), sql);
        }

        /** Comments (our lexer's, ending at \r too) and line breaks do not hide a write from the tree. */
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "WITH /* x */ d AS (\nDELETE -- y\n FROM t RETURNING *) SELECT 1",
                    "WITH d AS (DELETE --\r FROM t RETURNING *) SELECT 1",
                    "WITH d AS (/* a /* nested */ b */ DELETE FROM t RETURNING *) SELECT 1",
                    "WITH d AS (DELETE\tFROM\r\nt RETURNING *) SELECT 1"
                })
        void commentsAndLineBreaksHideNothing(String sql) {
            assertTrue(one(sql).notReadOnly().contains("data-modifying CTE"), sql);
        }

        @Test
        void explainWithoutAnalyzeCallsNothing() {
            StatementInfo s = one("EXPLAIN SELECT setval('s', 1)");
            assertEquals(List.of(), s.calls());
            assertTrue(s.readOnly(CATALOG));
            StatementInfo analyzed = one("EXPLAIN ANALYZE SELECT setval('s', 1)");
            assertEquals(List.of("setval"), analyzed.calls());
            assertFalse(analyzed.readOnly(CATALOG));
        }

        @Test
        void readsAndWritesAreNamed() {
            StatementInfo cte =
                    one("WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d JOIN customers c ON true");
            assertEquals(List.of("orders"), cte.writes());
            assertEquals(List.of("customers"), cte.reads(), "a CTE's name is not a table");
            StatementInfo into = one("SELECT * INTO copy FROM public.t");
            assertEquals(List.of("copy"), into.writes());
            assertEquals(List.of("public.t"), into.reads());
            assertEquals(List.of("a", "b"), one("DROP TABLE a, b CASCADE").writes());
            assertEquals("DROP", one("DROP DATABASE x").type());
            assertEquals(List.of("t", "public.u"), one("LOCK TABLE t, public.u").writes());
            assertEquals(List.of("x"), one("CREATE TABLE x AS SELECT * FROM t").writes());
            assertEquals(List.of("t"), one("CREATE TABLE x AS SELECT * FROM t").reads());
            assertEquals(
                    List.of("Sch.T", "lower"),
                    one("SELECT * FROM \"Sch\".\"T\", LOWER").reads());
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {"VACUUM t|VACUUM", "CHECKPOINT|CHECKPOINT", "DROP TABLE a, b|DROP", "REINDEX TABLE t|REINDEX"})
        void unparsedStatementsKeepTheirFirstKeyword(String sql, String type) {
            StatementInfo s = one(sql);
            assertEquals(type, s.type());
            assertFalse(s.structurallyReadOnly());
        }

        @Test
        void analysisIsBounded() {
            SqlAnalyzer small = new SqlAnalyzer(32);
            StatementInfo s = small.analyzeOne("SELECT a, b, c, d, e, f, g, h FROM t WHERE x = 1", 0, true);
            assertEquals(SqlAnalyzer.UNKNOWN, s.type());
            assertFalse(s.structurallyReadOnly());
            String deep = "SELECT " + "(".repeat(5000) + "1" + ")".repeat(5000);
            assertFalse(analyzer.analyzeOne(deep, 0, true).structurallyReadOnly(), "too deep: unparseable");
        }
    }

    @Nested
    class Calls {

        /** "sql|calls, as written and folded". */
        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "SELECT setval('s', 1)|setval",
                    "SELECT SETVAL('s', 1)|setval",
                    "SELECT pg_catalog.setval('s', 1)|pg_catalog.setval",
                    "SELECT PG_CATALOG.SetVal('s', 1)|pg_catalog.setval",
                    "SELECT \"pg_catalog\".\"setval\"('s', 1)|pg_catalog.setval",
                    "SELECT \"SetVal\"('s', 1)|SetVal",
                    "SELECT a FROM t WHERE nextval('s') > 0|nextval",
                    "SELECT a FROM t ORDER BY pg_sleep(1)|pg_sleep",
                    "SELECT a FROM t GROUP BY a HAVING max(lo_from_bytea(0, 'x')) IS NULL|max,lo_from_bytea",
                    "SELECT (SELECT setval('s', 1))|setval",
                    "SELECT a FROM t WHERE b IN (SELECT nextval('s'))|nextval",
                    "SELECT EXISTS (SELECT pg_notify('c', 'x'))|pg_notify",
                    "WITH w AS (SELECT set_config('role', 'x', false)) SELECT * FROM w|set_config",
                    "SELECT * FROM t JOIN u ON u.a = nextval('s')|nextval",
                    "SELECT * FROM generate_series(1, 3) g|generate_series",
                    "SELECT * FROM t, LATERAL (SELECT nextval('s')) x|nextval",
                    "SELECT count(*), sum(a) OVER (PARTITION BY b) FROM t|count,sum",
                    "SELECT string_agg(a, ',' ORDER BY lower(a)) FROM t|string_agg,lower",
                    "SELECT count(*) FILTER (WHERE nextval('s') > 0) FROM t|count,nextval",
                    "SELECT coalesce(a, b), nullif(a, b), greatest(a, b), least(a, b) FROM t|",
                    "SELECT public.coalesce(a) FROM t|public.coalesce",
                    "SELECT a::text, CAST(b AS int) FROM t|",
                    "SELECT * FROM t WHERE a = ANY (ARRAY[1, 2]) AND b = ANY (SELECT now())|now",
                    "DECLARE c CURSOR FOR SELECT setval('s', 1)|setval",
                    "COPY (SELECT nextval('s')) TO STDOUT|nextval",
                    "PREPARE p AS SELECT lower($1)|lower"
                })
        void everyCallIsFound(String sql, String calls) {
            List<String> expected = calls == null ? List.of() : List.of(calls.split(","));
            assertEquals(expected, one(sql).calls(), sql);
        }

        @Test
        void readOnlyNeedsEveryCallImmutableOrStable() {
            assertTrue(one("SELECT lower(a), now(), count(*) FROM t").readOnly(CATALOG));
            assertFalse(one("SELECT lower(a), setval('s', 1) FROM t").readOnly(CATALOG));
            assertFalse(one("SELECT my_function(a) FROM t").readOnly(CATALOG), "not in the catalog: UNKNOWN");
            assertFalse(
                    one("SELECT lower(a) FROM t").readOnly(FunctionVolatility.NONE), "a catalog that knows nothing");
            assertTrue(one("SELECT 1 FROM t").readOnly(FunctionVolatility.NONE), "no call, nothing to know");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "SELECT random()",
                    "SELECT pg_catalog.random()",
                    "SELECT clock_timestamp(), timeofday()",
                    "SELECT gen_random_uuid()"
                })
        void harmlessVolatileBuiltinsAreAllowed(String sql) {
            assertTrue(one(sql).readOnly(CATALOG), sql);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "SELECT public.random()",
                    "SELECT txid_current()",
                    "SELECT query_to_xml('select setval(''s'', 1)', true, true, '')",
                    "SELECT dblink('x', 'select 1')",
                    "SELECT \"pg_catalog.random\"()"
                })
        void neitherShadowsNorSqlRunnersNorXidAssignersPass(String sql) {
            assertFalse(one(sql).readOnly(CATALOG), sql);
        }
    }

    @Nested
    class Settings {

        /** "sql|settings it changes". */
        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "SET search_path TO public|search_path",
                    "SET LOCAL work_mem = '1MB'|work_mem",
                    "SET SESSION \"Client_Encoding\" TO 'UTF8'|client_encoding",
                    "SET NAMES 'UTF8'|client_encoding",
                    "SET TIME ZONE 'UTC'|timezone",
                    "SET SCHEMA 'public'|search_path",
                    "SET ROLE x|role",
                    "SET SESSION AUTHORIZATION x|session_authorization",
                    "SET my.setting = 1|my.setting",
                    "RESET ALL|all",
                    "RESET TIME ZONE|timezone",
                    "DISCARD ALL|all",
                    "BEGIN READ WRITE|transaction_read_only",
                    "START TRANSACTION ISOLATION LEVEL SERIALIZABLE|transaction_isolation",
                    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE|default_transaction_read_only",
                    "SELECT set_config('role', 'x', false)|role",
                    "SELECT pg_catalog.set_config('Standard_Conforming_Strings', 'off', true)|standard_conforming_strings",
                    "SELECT set_config(E'rol\\x65', 'x', false)|*",
                    "SELECT set_config(name, 'x', false) FROM t|*",
                    "SELECT a FROM t WHERE set_config('client_encoding', 'SJIS', true) IS NOT NULL|client_encoding"
                })
        void settingsAreNamed(String sql, String setting) {
            assertTrue(one(sql).settings().contains(setting), () -> sql + " -> " + one(sql).settings());
        }

        @ParameterizedTest
        @ValueSource(strings = {"BEGIN READ ONLY", "SET default_transaction_read_only = on", "SHOW role"})
        void tighteningOrReadingIsNoChange(String sql) {
            StatementInfo s = one(sql);
            assertFalse(s.settings().contains("transaction_read_only"), sql);
            assertFalse(s.settings().contains("default_transaction_read_only"), sql);
            assertFalse(s.settings().contains("role"), sql);
        }
    }
}
