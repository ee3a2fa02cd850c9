package dev.portcullis.proxy.pg.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.proxy.pg.sql.FunctionVolatility.Volatility;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real database as the oracle for read-only classification: statements generated from a grammar of reads and
 * writes and mutated (case, quoting, schema-qualified names, comments, whitespace, nesting), each the analysis
 * calls read-only (with the catalog's volatility, read from pg_proc here) is run in a rolled-back transaction
 * with a write detector, which must find nothing: a transaction id assigned, a sequence moved, a large object
 * created, a protected setting changed. A statement that fails wrote nothing (sequences, which no rollback
 * undoes, are still compared). Fixed seed; shrunk failures are SqlAnalyzerTest's regression cases.
 */
class SqlAnalyzerDifferentialTest {

    private static final long SEED = 0x14_2026L;
    private static final int STATEMENTS = 10_000;
    private static final String DB = "analyzer_diff";

    private static PostgresServer pg;
    private static Connection conn;
    private static FunctionVolatility catalog;

    @BeforeAll
    static void scratchDatabase() throws SQLException {
        pg = SharedDevStack.ensure(Component.POSTGRES).postgres();
        pg.createDatabase(DB);
        pg.execute(
                DB,
                "DROP TABLE IF EXISTS customers, orders, copy_x, ctas_x CASCADE",
                "DROP SEQUENCE IF EXISTS s",
                "DROP FUNCTION IF EXISTS writer(), reader(int), stable_nextval()",
                "DROP PROCEDURE IF EXISTS proc_writer()",
                "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'diff_reader')"
                        + " THEN CREATE ROLE diff_reader; END IF; END$$",
                "CREATE TABLE customers (id int PRIMARY KEY, email text, phone text)",
                "INSERT INTO customers VALUES (1, 'a@example.com', '555-0101'), (2, 'b@example.com', '555-0102')",
                "CREATE TABLE orders (id int, cid int, total numeric)",
                "INSERT INTO orders VALUES (1, 1, 10), (2, 2, 20)",
                "CREATE SEQUENCE s",
                "CREATE VIEW v_customers AS SELECT id, email FROM customers",
                // a SECURITY DEFINER function that writes, volatile as every function is unless declared otherwise
                "CREATE FUNCTION writer() RETURNS int LANGUAGE sql SECURITY DEFINER"
                        + " AS 'INSERT INTO orders VALUES (99, 1, 1) RETURNING id'",
                "CREATE FUNCTION reader(int) RETURNS text LANGUAGE sql STABLE"
                        + " AS 'SELECT email FROM customers WHERE id = $1'",
                "CREATE PROCEDURE proc_writer() LANGUAGE sql AS 'INSERT INTO orders VALUES (98, 1, 1)'",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO diff_reader",
                "GRANT SELECT ON SEQUENCE s TO diff_reader");
        conn = pg.connect(DB, PostgresServer.SUPERUSER, pg.superPassword());
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            st.execute("SET statement_timeout = '2s'");
            conn.commit();
        }
        catalog = loadCatalog(conn);
    }

    @AfterAll
    static void close() throws SQLException {
        if (conn != null) {
            conn.close();
        }
    }

    /** pg_proc's provolatile, strictest over every overload, by name and by schema.name. */
    private static FunctionVolatility loadCatalog(Connection c) throws SQLException {
        Map<String, Volatility> byName = new HashMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT n.nspname, p.proname, p.provolatile FROM pg_proc p"
                        + " JOIN pg_namespace n ON n.oid = p.pronamespace")) {
            while (rs.next()) {
                Volatility v = switch (rs.getString(3)) {
                    case "i" -> Volatility.IMMUTABLE;
                    case "s" -> Volatility.STABLE;
                    default -> Volatility.VOLATILE;
                };
                byName.merge(rs.getString(2), v, SqlAnalyzerDifferentialTest::stricter);
                byName.merge(rs.getString(1) + "." + rs.getString(2), v, SqlAnalyzerDifferentialTest::stricter);
            }
        }
        c.rollback();
        return (schema, name) -> byName.getOrDefault(schema == null ? name : schema + "." + name, Volatility.UNKNOWN);
    }

    private static Volatility stricter(Volatility a, Volatility b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    private static final String DETECT = "SELECT txid_current_if_assigned() IS NOT NULL,"
            + " (SELECT count(*) FROM pg_largeobject_metadata),"
            + " (SELECT last_value || ':' || is_called FROM s),"
            + " current_setting('role'), current_setting('session_authorization'),"
            + " current_setting('transaction_read_only'), current_setting('default_transaction_read_only'),"
            + " current_setting('client_encoding'), current_setting('standard_conforming_strings')";

    private static final String[] DETECTED = {
        "transaction id",
        "large objects",
        "sequence",
        "role",
        "session_authorization",
        "transaction_read_only",
        "default_transaction_read_only",
        "client_encoding",
        "standard_conforming_strings"
    };

    /** The detector's view of the database and session; index 0 is "a transaction id was assigned". */
    private static List<String> state(Statement st) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(DETECT)) {
            rs.next();
            for (int i = 1; i <= DETECTED.length; i++) {
                out.add(rs.getString(i));
            }
        }
        return out;
    }

    /** What a statement changed, compared with the state before it; empty when it wrote nothing. */
    private static List<String> changes(String sql) throws SQLException {
        List<String> before;
        try (Statement st = conn.createStatement()) {
            before = state(st);
            conn.rollback();
        }
        List<String> after;
        try (Statement st = conn.createStatement()) {
            st.setEscapeProcessing(false);
            boolean ran = false;
            try {
                st.execute(sql);
                ran = true;
                after = state(st);
            } catch (SQLException e) {
                conn.rollback(); // it failed: only what no rollback undoes (sequences) can have changed
                after = state(st);
                if (ran) {
                    // the statement ran but the session can no longer see its own state: it changed who it is
                    after.set(3, "detector refused after the statement: " + e.getMessage());
                }
            }
            conn.rollback();
        }
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < DETECTED.length; i++) {
            boolean tightened = DETECTED[i].endsWith("read_only") && "on".equals(after.get(i));
            if (!before.get(i).equals(after.get(i)) && !tightened) {
                changed.add(DETECTED[i] + ": " + before.get(i) + " -> " + after.get(i));
            }
        }
        return changed;
    }

    /**
     * The detector is not blind: each kind of write it claims to see, it sees. (A client_encoding change is
     * not among them: the JDBC driver closes its connection on one. The analysis never calls it read-only.)
     */
    @Test
    void theDetectorSeesEachKindOfWrite() throws SQLException {
        for (String write : List.of(
                "INSERT INTO orders VALUES (7, 1, 1)",
                "SELECT writer()",
                "SELECT setval('s', 1000)",
                "SELECT nextval('s') / 0",
                "SELECT lo_from_bytea(0, '\\x00'::bytea)",
                "SET ROLE diff_reader",
                "SET transaction_read_only = on",
                "SET standard_conforming_strings = off",
                "SELECT set_config('standard_conforming_strings', 'off', true)")) {
            List<String> changed = changes(write);
            if (write.contains("transaction_read_only")) {
                assertTrue(changed.isEmpty(), "turning read-only on is no write: " + changed);
            } else {
                assertTrue(!changed.isEmpty(), () -> "the detector missed " + write);
            }
        }
    }

    @Test
    void readOnlyByAnalysisWritesNothing() throws SQLException {
        SqlAnalyzer analyzer = new SqlAnalyzer(64 * 1024);
        StatementGrammar grammar = new StatementGrammar(new Random(SEED));
        List<String> failures = new ArrayList<>();
        int readOnly = 0;
        for (int i = 0; i < STATEMENTS; i++) {
            String sql = grammar.next();
            List<StatementInfo> infos = analyzer.analyze(sql);
            if (infos.size() != 1 || !infos.get(0).readOnly(catalog)) {
                continue;
            }
            readOnly++;
            List<String> changed = changes(sql);
            if (!changed.isEmpty()) {
                failures.add(sql.replace("\n", "\\n").replace("\r", "\\r") + "  =>  " + changed);
            }
        }
        assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())), failures.size() + " failures");
        // the grammar must reach both sides, or the property holds vacuously
        assertTrue(readOnly > STATEMENTS / 10, "only " + readOnly + " read-only statements");
        assertTrue(readOnly < STATEMENTS * 9 / 10, readOnly + " read-only statements: too few writes generated");
    }
}
