package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.proxy.pg.catalog.PgCatalog;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which completed statements invalidate the connection's catalog snapshots ({@link PgResultMasking#mayChangeCatalog}):
 * every statement that may change what the catalog says — DDL, a write to a system catalog, a call of a function
 * outside pg_catalog — and not a plain row change, which made every write transaction reload the catalog at its next
 * BEGIN.
 */
class CatalogChangeTest {

    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer(1 << 20);

    /**
     * Against {@link PgCatalog#EMPTY}, the catalog a session uses after an invalidation: it knows no function, so any
     * call counts as one that might change the catalog (count(*) too) — the row changes below call none.
     */
    private static boolean changes(String sql) {
        return PgResultMasking.mayChangeCatalog(ANALYZER.analyzeOne(sql, 0, true), PgCatalog.EMPTY);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 7",
                "INSERT INTO pgbench_history (tid, bid, aid, delta) VALUES (1, 1, 7, 5)",
                "DELETE FROM orders WHERE id = 3",
                "UPDATE public.customers SET note = 'x' WHERE id = 1",
                "SELECT * FROM accounts WHERE id = 1 FOR UPDATE",
                "WITH d AS (DELETE FROM t WHERE id = 1 RETURNING id) SELECT id FROM d"
            })
    void rowChangesLeaveTheCatalogAlone(String sql) {
        assertThat(changes(sql)).as(sql).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "CREATE TABLE t2 (id int)",
                "ALTER TABLE customers ADD COLUMN x text",
                "DROP VIEW v",
                "CREATE OR REPLACE VIEW v AS SELECT email FROM customers",
                "UPDATE pg_catalog.pg_class SET relname = 'x' WHERE oid = 1",
                "UPDATE pg_class SET relname = 'x' WHERE oid = 1",
                "INSERT INTO pg_lookalike VALUES (1)", // unqualified pg_ names may resolve to pg_catalog: conservative
                "DELETE FROM information_schema.sql_features",
                "INSERT INTO t SELECT my_schema.make_view()",
                "UPDATE t SET a = public.rebuild_things() WHERE id = 1",
                "SELECT public.create_things()",
                "TRUNCATE t",
                "GRANT SELECT ON customers TO someone",
                "COMMENT ON TABLE t IS 'x'"
            })
    void whatMayChangeTheCatalogInvalidatesIt(String sql) {
        assertThat(changes(sql)).as(sql).isTrue();
    }
}
