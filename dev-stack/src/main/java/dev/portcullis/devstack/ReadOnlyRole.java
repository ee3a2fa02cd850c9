package dev.portcullis.devstack;

import java.util.ArrayList;
import java.util.List;

/**
 * A read-only login role next to a database's owner, as `up` and the tests give the {@code read} access level of a
 * postgres connection (docs/architecture.md "Connections"): the database itself refuses what a read grant must not
 * do, whatever the proxy lets through. It passes session-proxy's read-role audit. The same SQL for a real target is
 * in session-proxy's README, "A read-only role on the target". Idempotent: `up` runs it again on an existing stack.
 *
 * <ul>
 *   <li>LOGIN and none of SUPERUSER, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS; no membership in the predefined
 *       roles that signal backends, read or write server files, run programs or write all data;
 *   <li>{@code default_transaction_read_only = on} on the role itself, and the session limits
 *       ({@code statement_timeout}, {@code idle_in_transaction_session_timeout}, {@code lock_timeout},
 *       {@code temp_file_limit}, which only a superuser can set for it);
 *   <li>SELECT on the tables of schema {@code public} and nothing else on them, on sequences none; SELECT on the
 *       tables the owner creates later;
 *   <li>no CREATE on schema {@code public} (PostgreSQL 15 and later already) and no TEMP on the database, for
 *       anyone but the owner;
 *   <li>no EXECUTE on the functions that create large objects (the owner keeps it): in a transaction turned
 *       read-write they would be the one write left to a role without table privileges.
 * </ul>
 */
public final class ReadOnlyRole {

    /** The predefined roles a read role must not be a member of (the audit refuses every other pg_ role too). */
    public static final List<String> FORBIDDEN_PREDEFINED_ROLES = List.of(
            "pg_signal_backend",
            "pg_read_server_files",
            "pg_write_server_files",
            "pg_execute_server_program",
            "pg_write_all_data");

    /** The large-object functions that create one. */
    public static final String LARGE_OBJECT_CREATORS =
            "FUNCTION lo_creat(integer), lo_create(oid), lo_from_bytea(oid, bytea)";

    private ReadOnlyRole() {}

    /**
     * Creates or updates login role {@code role} with {@code password} as a read-only role of {@code database}
     * (owned by {@code owner}); grants SELECT on the tables that exist now and on those the owner creates later.
     */
    public static void provision(PostgresServer pg, String database, String owner, String role, String password) {
        List<String> statements = new ArrayList<>();
        // a failing statement is logged with its text by default: never the one holding the password
        statements.add("SET log_min_error_statement = panic");
        statements.addAll(roleStatements(role, password));
        pg.execute("postgres", statements.toArray(String[]::new));
        pg.execute(database, databaseStatements(database, owner, role).toArray(String[]::new));
    }

    /** The cluster-wide part (run in any database): the role, its attributes and its own settings. */
    public static List<String> roleStatements(String role, String password) {
        String r = ident(role);
        String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '"
                + password.replace("'", "''") + "'";
        return List.of(
                "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " + literal(role)
                        + ") THEN CREATE ROLE " + r + "; END IF; END$$",
                "ALTER ROLE " + r + attributes,
                "REVOKE " + String.join(", ", FORBIDDEN_PREDEFINED_ROLES) + " FROM " + r,
                "ALTER ROLE " + r + " SET default_transaction_read_only = on",
                "ALTER ROLE " + r + " SET statement_timeout = '5min'",
                "ALTER ROLE " + r + " SET idle_in_transaction_session_timeout = '60s'",
                "ALTER ROLE " + r + " SET lock_timeout = '10s'",
                "ALTER ROLE " + r + " SET temp_file_limit = '1GB'");
    }

    /** The part run in {@code database} itself: what the role may read, and what nobody but the owner may do. */
    public static List<String> databaseStatements(String database, String owner, String role) {
        String r = ident(role);
        String o = ident(owner);
        String d = ident(database);
        return List.of(
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                "REVOKE TEMPORARY ON DATABASE " + d + " FROM PUBLIC",
                "REVOKE TEMPORARY, CREATE ON DATABASE " + d + " FROM " + r,
                "GRANT CONNECT ON DATABASE " + d + " TO " + r,
                "GRANT USAGE ON SCHEMA public TO " + r,
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + r,
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM " + r,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + r,
                "ALTER DEFAULT PRIVILEGES FOR ROLE " + o + " IN SCHEMA public GRANT SELECT ON TABLES TO " + r,
                "REVOKE EXECUTE ON " + LARGE_OBJECT_CREATORS + " FROM PUBLIC",
                "GRANT EXECUTE ON " + LARGE_OBJECT_CREATORS + " TO " + o);
    }

    private static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
