package dev.portcullis.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.devstack.ReadOnlyRole;
import dev.portcullis.devstack.SharedDevStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read-role audit against a real PostgreSQL: {@link ReadRoleAudit#QUERY} run as the role, over a connection
 * opened as the proxy opens a read session's (read-only and the session limits in the startup packet), and its rows
 * evaluated. A role provisioned like `up`'s {@code demo_read} passes; each role given one way to write is refused
 * with that privilege named.
 */
class ReadRoleAuditDatabaseTest {

    private static final String DB = "rra";
    private static final String OWNER = "rra_owner";
    private static final String PASSWORD = "rra-dev-password";
    private static final long GB = 1024L * 1024;
    private static final List<String> ROLES = new ArrayList<>();
    private static PostgresServer pg;

    @BeforeAll
    static void target() {
        pg = SharedDevStack.ensure(Component.POSTGRES).postgres();
        pg.createDatabase(DB, OWNER, PASSWORD);
        pg.execute(
                DB,
                "SET ROLE " + OWNER,
                "CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO customers (name) SELECT 'Ada' WHERE NOT EXISTS (SELECT 1 FROM customers)");
    }

    @AfterAll
    static void dropRoles() {
        for (String r : ROLES) {
            pg.execute(DB, "DROP OWNED BY " + r);
            pg.execute("postgres", "DROP OWNED BY " + r, "DROP ROLE " + r);
        }
    }

    /** A role as ReadOnlyRole provisions it, then {@code extra} run as the superuser in the database. */
    private static String role(String name, String... extra) {
        ROLES.add(name);
        ReadOnlyRole.provision(pg, DB, OWNER, name, PASSWORD);
        if (extra.length > 0) {
            pg.execute(DB, extra);
        }
        return name;
    }

    /** Runs the audit as {@code role} with the startup parameters of a proxy read session. */
    private static ReadRoleAudit.Verdict audit(String database, String role) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", role);
        p.setProperty("password", PASSWORD);
        // BackendStartup's settings of a read session: the audit must not be fooled by them
        p.setProperty(
                "options", "-c default_transaction_read_only=on -c statement_timeout=300000ms -c lock_timeout=10000ms");
        List<ReadRoleAudit.Row> rows = new ArrayList<>();
        try (Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl(database), p);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(ReadRoleAudit.QUERY)) {
            assertThat(rs.getMetaData().getColumnCount()).isEqualTo(ReadRoleAudit.COLUMNS.size());
            while (rs.next()) {
                rows.add(new ReadRoleAudit.Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return ReadRoleAudit.evaluate(rows, GB);
    }

    private static void assertRefused(String role, String... reasons) throws SQLException {
        ReadRoleAudit.Verdict v = audit(DB, role);
        assertThat(v.passed()).as(role + " refused").isFalse();
        for (String reason : reasons) {
            assertThat(v.problems()).as(role).anySatisfy(p -> assertThat(p).contains(reason));
        }
    }

    @Test
    void aRoleProvisionedLikeUpsReadRolePassesAndCanRead() throws SQLException {
        String r = role("rra_good");
        assertThat(audit(DB, r).problems()).isEmpty();
        try (Connection c = pg.connect(DB, r, PASSWORD);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM customers")) {
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void provisioningTwiceIsTheSame() throws SQLException {
        String r = role("rra_twice");
        ReadOnlyRole.provision(pg, DB, OWNER, r, PASSWORD);
        assertThat(audit(DB, r).passed()).isTrue();
    }

    @Test
    void aSuperuserIsRefused() throws SQLException {
        assertRefused(
                role("rra_super", "ALTER ROLE rra_super SUPERUSER"), "role rra_super has the attribute SUPERUSER");
    }

    @Test
    void eachRoleAttributeThatCanWriteIsRefused() throws SQLException {
        assertRefused(
                role("rra_attrs", "ALTER ROLE rra_attrs CREATEROLE CREATEDB REPLICATION BYPASSRLS"),
                "has the attribute CREATEROLE",
                "has the attribute CREATEDB",
                "has the attribute REPLICATION",
                "has the attribute BYPASSRLS");
    }

    @Test
    void createOnASchemaIsRefused() throws SQLException {
        assertRefused(
                role("rra_create", "GRANT CREATE ON SCHEMA public TO rra_create"),
                "role rra_create has CREATE on schema public");
    }

    @Test
    void tempOnTheDatabaseIsRefused() throws SQLException {
        assertRefused(
                role("rra_temp", "GRANT TEMPORARY ON DATABASE rra TO rra_temp"),
                "role rra_temp has TEMPORARY on database rra");
    }

    @Test
    void pgSignalBackendMembershipIsRefused() throws SQLException {
        assertRefused(
                role("rra_signal", "GRANT pg_signal_backend TO rra_signal"),
                "role rra_signal is a member of pg_signal_backend");
    }

    @Test
    void aServerFileRoleInheritedThroughAGroupIsRefused() throws SQLException {
        ROLES.add("rra_group");
        pg.execute(
                "postgres",
                "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rra_group') THEN"
                        + " CREATE ROLE rra_group NOLOGIN; END IF; END$$",
                "GRANT pg_write_server_files, pg_write_all_data TO rra_group");
        assertRefused(
                role("rra_grouped", "GRANT rra_group TO rra_grouped"),
                "role rra_grouped is a member of pg_write_server_files",
                "role rra_grouped is a member of pg_write_all_data");
    }

    @Test
    void anInsertGrantIsRefused() throws SQLException {
        assertRefused(
                role("rra_insert", "GRANT INSERT ON customers TO rra_insert"),
                "role rra_insert has INSERT on table public.customers");
    }

    @Test
    void aColumnUpdateGrantIsRefused() throws SQLException {
        assertRefused(
                role("rra_column", "GRANT UPDATE (name) ON customers TO rra_column"),
                "role rra_column has UPDATE on table public.customers");
    }

    @Test
    void sequenceUsageIsRefused() throws SQLException {
        assertRefused(
                role("rra_seq", "GRANT USAGE ON SEQUENCE customers_id_seq TO rra_seq"),
                "role rra_seq has USAGE on sequence public.customers_id_seq (nextval/setval)");
    }

    @Test
    void membershipInTheWritingOwnerIsRefusedWithTheOwnersPrivileges() throws SQLException {
        // SET ROLE rra_owner would give every privilege of the owner
        assertRefused(
                role("rra_member", "GRANT rra_owner TO rra_member"),
                "role rra_member, as a member of role rra_owner, has INSERT on table public.customers",
                "role rra_member, as a member of role rra_owner, owns table customers");
    }

    @Test
    void owningATableIsRefused() throws SQLException {
        assertRefused(
                role(
                        "rra_owns",
                        "CREATE TABLE IF NOT EXISTS rra_owned (id int)",
                        "ALTER TABLE rra_owned OWNER TO rra_owns"),
                "role rra_owns owns table rra_owned",
                "role rra_owns has INSERT on table public.rra_owned");
    }

    @Test
    void owningTheDatabaseIsRefused() throws SQLException {
        String r = role("rra_dbowner");
        pg.createDatabase("rra_dbowned", r, PASSWORD);
        try {
            ReadRoleAudit.Verdict v = audit("rra_dbowned", r);
            assertThat(v.problems())
                    .contains("role rra_dbowner owns this database (it is a member of pg_database_owner)")
                    .contains("role rra_dbowner owns database rra_dbowned");
        } finally {
            pg.execute("postgres", "DROP DATABASE rra_dbowned");
        }
    }

    @Test
    void aWritingSecurityDefinerFunctionItMayExecuteIsRefusedAStableOneIsNot() throws SQLException {
        String r = role("rra_definer");
        pg.execute(
                DB,
                "CREATE FUNCTION public.rra_purge() RETURNS void LANGUAGE sql SECURITY DEFINER"
                        + " AS 'DELETE FROM public.customers'",
                "ALTER FUNCTION public.rra_purge() OWNER TO " + OWNER,
                "CREATE FUNCTION public.rra_count() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER"
                        + " AS 'SELECT count(*) FROM public.customers'");
        try {
            // EXECUTE is PUBLIC's by default: every role of the database may run it
            assertRefused(
                    r,
                    "may EXECUTE the SECURITY DEFINER function public.rra_purge(), which is VOLATILE (it may write as"
                            + " its owner)");
            assertThat(audit(DB, r).problems()).noneSatisfy(p -> assertThat(p).contains("rra_count"));
            pg.execute(DB, "REVOKE EXECUTE ON FUNCTION public.rra_purge() FROM PUBLIC");
            assertThat(audit(DB, r).passed())
                    .as("once only the owner may execute it")
                    .isTrue();
        } finally {
            pg.execute(DB, "DROP FUNCTION public.rra_purge()", "DROP FUNCTION public.rra_count()");
        }
    }

    @Test
    void withoutDefaultTransactionReadOnlyOnTheRoleItselfItIsRefusedEvenThoughTheSessionIsReadOnly()
            throws SQLException {
        assertRefused(
                role("rra_nodtro", "ALTER ROLE rra_nodtro RESET default_transaction_read_only"),
                "default_transaction_read_only is not on for role rra_nodtro itself: ALTER ROLE rra_nodtro SET"
                        + " default_transaction_read_only = on");
    }

    @Test
    void aDatabaseSpecificSettingTurningReadOnlyOffIsRefused() throws SQLException {
        assertRefused(
                role("rra_dbdtro", "ALTER ROLE rra_dbdtro IN DATABASE rra SET default_transaction_read_only = off"),
                "default_transaction_read_only is not on for role rra_dbdtro itself (it is 'off')");
    }

    @Test
    void anUnlimitedTempFileLimitIsRefused() throws SQLException {
        assertRefused(
                role("rra_tempfiles", "ALTER ROLE rra_tempfiles RESET temp_file_limit"),
                "temp_file_limit of role rra_tempfiles is unlimited, above the session limit 1GB");
    }
}
