package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.ReadOnlyRole;
import dev.portcullis.devstack.SharedDevStack;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;

/**
 * The read role's privilege matrix, straight against PostgreSQL (JDBC, no proxy), logged in as the proxy logs in a
 * read session: every way to write fails and the target is unchanged (checksums of its tables, sequences, large
 * objects, relations, functions, schemas, roles and role settings before and after). What the database cannot
 * refuse is asserted too, so the reason the proxy must refuse it is on record: turning read-only off ({@code SET
 * default_transaction_read_only}, {@code BEGIN READ WRITE}, {@code set_config}) succeeds, and then the role can
 * change its own settings; {@code NOTIFY} and advisory locks are not writes to PostgreSQL.
 */
class ReadRolePrivilegeMatrixTest {

    private static final String DB = "rpm";
    private static final String OWNER = "rpm_owner";
    private static final String READER = "rpm_read";
    private static final String PASSWORD = "rpm-dev-password";
    private static PostgresServer pg;
    private static Connection victim;

    private Connection reader;
    private Map<String, String> before;

    @BeforeAll
    static void target() throws SQLException {
        pg = SharedDevStack.ensure(Component.POSTGRES).postgres();
        pg.createDatabase(DB, OWNER, PASSWORD);
        pg.execute(
                DB,
                "SET ROLE " + OWNER,
                "CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL, email text)",
                "INSERT INTO customers (name, email) SELECT 'Ada', 'ada@example.com'"
                        + " WHERE NOT EXISTS (SELECT 1 FROM customers)",
                "SELECT lo_from_bytea(4242, 'owner data') WHERE NOT EXISTS"
                        + " (SELECT 1 FROM pg_largeobject_metadata WHERE oid = 4242)");
        ReadOnlyRole.provision(pg, DB, OWNER, READER, PASSWORD);
        // another role's session, which the read role must not be able to end
        victim = pg.connect(DB, OWNER, PASSWORD);
        victim.createStatement().execute("LISTEN rpm_channel");
    }

    @AfterAll
    static void close() throws SQLException {
        if (victim != null) {
            victim.close();
        }
    }

    @BeforeEach
    void login() throws SQLException {
        before = checksums();
        Properties p = new Properties();
        p.setProperty("user", READER);
        p.setProperty("password", PASSWORD);
        // BackendStartup's startup packet of a read session
        p.setProperty("options", "-c default_transaction_read_only=on -c statement_timeout=300000ms");
        reader = DriverManager.getConnection(pg.jdbcUrl(DB), p);
    }

    @AfterEach
    void logout() throws SQLException {
        reader.close();
    }

    /** What "the target is unchanged" means, as the superuser sees it. */
    private static Map<String, String> checksums() throws SQLException {
        Map<String, String> sums = new LinkedHashMap<>();
        try (Connection c = pg.connect(DB, PostgresServer.SUPERUSER, pg.superPassword());
                Statement s = c.createStatement()) {
            sums.put("customers", one(s, "SELECT md5(string_agg(c::text, ',' ORDER BY id)) FROM customers c"));
            sums.put("sequence", one(s, "SELECT last_value || '/' || is_called FROM customers_id_seq"));
            sums.put(
                    "large objects",
                    one(
                            s,
                            "SELECT count(*) || '/' || coalesce(md5(string_agg(encode(data, 'hex'), ','"
                                    + " ORDER BY loid, pageno)), '') FROM pg_largeobject"));
            sums.put(
                    "large object ids",
                    one(s, "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_largeobject_metadata"));
            sums.put(
                    "relations",
                    one(
                            s,
                            "SELECT md5(string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ','"
                                    + " ORDER BY 1)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                    + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"));
            sums.put("schemas", one(s, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace"));
            sums.put(
                    "functions",
                    one(
                            s,
                            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                                    + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"));
            sums.put(
                    "roles",
                    one(
                            s,
                            "SELECT md5(string_agg(r::text, ',' ORDER BY rolname)) FROM"
                                    + " (SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication,"
                                    + " rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname LIKE 'rpm%') r"));
            sums.put(
                    "role settings",
                    one(
                            s,
                            "SELECT string_agg(setconfig::text, ';' ORDER BY setdatabase) FROM pg_db_role_setting"
                                    + " WHERE setrole = '" + READER + "'::regrole"));
        }
        return sums;
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void assertRefusedAndUnchanged(String... sql) throws SQLException {
        try (Statement s = reader.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> {
                for (String statement : sql) {
                    s.execute(statement);
                }
            });
            // 25006 read_only_sql_transaction, 42501 insufficient_privilege
            assertThat(e.getSQLState())
                    .as(String.join("; ", sql) + ": " + e.getMessage())
                    .isIn("25006", "42501");
        }
        reader.setAutoCommit(true);
        assertThat(checksums()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "INSERT INTO customers (name) VALUES ('Mallory')",
                "UPDATE customers SET email = 'x'",
                "DELETE FROM customers",
                "TRUNCATE customers",
                "MERGE INTO customers c USING (SELECT 1 AS id) s ON c.id = s.id WHEN MATCHED THEN DELETE",
                "CREATE TABLE copy (id int)",
                "CREATE TEMP TABLE scratch (id int)",
                "CREATE SCHEMA mallory",
                "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                "SELECT * INTO copy FROM customers",
                "CREATE TABLE copy AS SELECT * FROM customers",
                "WITH d AS (DELETE FROM customers RETURNING *) SELECT count(*) FROM d",
                "SELECT nextval('customers_id_seq')",
                "SELECT setval('customers_id_seq', 1000)",
                "SELECT lo_create(0)",
                "SELECT lo_from_bytea(0, 'x')",
                "SELECT lo_unlink(4242)",
                "SELECT lo_put(4242, 0, 'x')",
                "UPDATE pg_settings SET setting = 'off' WHERE name = 'default_transaction_read_only'",
                "ALTER ROLE rpm_read SET default_transaction_read_only = off",
                "ALTER ROLE rpm_read SUPERUSER",
                "GRANT INSERT ON customers TO rpm_read",
                "COMMENT ON TABLE customers IS 'x'",
                "REFRESH MATERIALIZED VIEW customers",
                "SELECT pg_reload_conf()",
                "COPY customers TO '/tmp/rpm-out.csv'",
                "COPY customers FROM '/etc/passwd'"
            })
    void everyWriteFormFailsAndTheTargetIsUnchanged(String sql) throws SQLException {
        assertRefusedAndUnchanged(sql);
    }

    @Test
    void vacuumIsSkippedWithAWarningSinceTheRoleOwnsNothing() throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute("VACUUM customers");
            java.sql.SQLWarning w = s.getWarnings();
            assertThat(w == null ? null : w.getMessage()).contains("permission denied to vacuum");
        }
        assertThat(checksums()).isEqualTo(before);
    }

    @Test
    void lockingATableExclusivelyFails() throws SQLException {
        reader.setAutoCommit(false);
        assertRefusedAndUnchanged("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE");
    }

    @Test
    void copyFromStdinFails() throws SQLException {
        CopyManager copy = reader.unwrap(PGConnection.class).getCopyAPI();
        SQLException e = assertThrows(
                SQLException.class,
                () -> copy.copyIn("COPY customers (name) FROM STDIN", new StringReader("Mallory\n")));
        assertThat(e.getSQLState()).isIn("25006", "42501");
        assertThat(checksums()).isEqualTo(before);
    }

    @Test
    void terminatingOrCancellingAnotherRolesBackendFailsAndItLivesOn() throws SQLException {
        int pid = victim.unwrap(PGConnection.class).getBackendPID();
        assertRefusedAndUnchanged("SELECT pg_terminate_backend(" + pid + ")");
        assertRefusedAndUnchanged("SELECT pg_cancel_backend(" + pid + ")");
        try (Statement s = victim.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).as("the other session still answers").isTrue();
        }
    }

    /**
     * The database cannot refuse these: read-only is a session default the session itself may change, so the proxy
     * refuses every statement that turns it off ({@code SET}/{@code RESET}/{@code set_config} of
     * default_transaction_read_only and transaction_read_only, {@code BEGIN … READ WRITE}, {@code SET SESSION
     * CHARACTERISTICS}). Table privileges still hold; what is left to the role is its own role settings, which the
     * read-role audit then refuses.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "SET default_transaction_read_only = off",
                "SELECT set_config('default_transaction_read_only', 'off', false)",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "BEGIN READ WRITE"
            })
    void turningReadOnlyOffSucceedsInTheDatabaseWhichIsWhyTheProxyRefusesIt(String off) throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute(off);
            assertThat(one(s, "SHOW transaction_read_only")).isEqualTo("off");
            // privileges still hold: no table write, no large object, no temporary table, no sequence
            boolean block = off.startsWith("BEGIN");
            for (String write : List.of(
                    "INSERT INTO customers (name) VALUES ('Mallory')",
                    "SELECT lo_from_bytea(0, 'x')",
                    "CREATE TEMP TABLE t (id int)",
                    "SELECT nextval('customers_id_seq')")) {
                if (block) {
                    s.execute("SAVEPOINT a"); // a failed statement would end the block
                }
                SQLException e = assertThrows(SQLException.class, () -> s.execute(write), write);
                assertThat(e.getSQLState()).as(write).isEqualTo("42501");
                if (block) {
                    s.execute("ROLLBACK TO a");
                }
            }
            assertThat(checksums()).isEqualTo(before);
            // but the role may rewrite its own settings: a lasting change the database allows
            s.execute("ALTER ROLE rpm_read SET default_transaction_read_only = off");
            if (off.startsWith("BEGIN")) {
                s.execute("COMMIT");
            }
            Map<String, String> after = checksums();
            assertThat(after.get("role settings")).contains("default_transaction_read_only=off");
            assertThat(audit().problems())
                    .as("the next audit refuses the role")
                    .anySatisfy(p -> assertThat(p).startsWith("default_transaction_read_only is not on"));
        } finally {
            pg.execute("postgres", "ALTER ROLE " + READER + " SET default_transaction_read_only = on");
        }
        assertThat(checksums()).isEqualTo(before);
        assertThat(audit().passed()).isTrue();
    }

    @Test
    void notifyAndAdvisoryLocksAreNotWritesToPostgreSqlSoOnlyTheProxyCanRefuseThem() throws SQLException {
        try (Statement s = reader.createStatement()) {
            s.execute("NOTIFY rpm_channel, 'from a read session'");
            s.execute("SELECT pg_advisory_lock(4242)");
            s.execute("SELECT pg_advisory_unlock(4242)");
        }
        try (Statement s = victim.createStatement()) {
            s.execute("SELECT 1");
        }
        PGNotification[] n = victim.unwrap(PGConnection.class).getNotifications(5000);
        assertThat(n).as("the NOTIFY was delivered").isNotNull();
        assertThat(List.of(n)).anySatisfy(x -> assertThat(x.getParameter()).isEqualTo("from a read session"));
        assertThat(checksums()).isEqualTo(before);
    }

    @Test
    void theReadRoleReadsTablesButNotLargeObjectsAndPassesTheAudit() throws SQLException {
        try (Statement s = reader.createStatement()) {
            assertThat(one(s, "SELECT email FROM customers WHERE id = 1")).isEqualTo("ada@example.com");
            SQLException e = assertThrows(SQLException.class, () -> one(s, "SELECT lo_get(4242)"));
            assertThat(e.getSQLState())
                    .as("no grant on the owner's large object")
                    .isEqualTo("42501");
        }
        assertThat(audit().problems()).isEmpty();
        assertThat(checksums()).isEqualTo(before);
    }

    private ReadRoleAudit.Verdict audit() throws SQLException {
        List<ReadRoleAudit.Row> rows = new ArrayList<>();
        try (Connection c = pg.connect(DB, READER, PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(ReadRoleAudit.QUERY)) {
            while (rs.next()) {
                rows.add(new ReadRoleAudit.Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return ReadRoleAudit.evaluate(rows, 1024L * 1024);
    }
}
