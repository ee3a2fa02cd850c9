package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.connections.SessionLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the {@code read} credential of a connection can write (docs/architecture.md "Connections"): the database is
 * the second line behind the proxy's statement guard only when the role a read session logs in as cannot change
 * anything. The session runs {@link #QUERY} on a fresh backend session of that credential, before the client's first
 * statement, and {@link #evaluate}s the rows; a credential that can write is refused, with every privilege that
 * allows it named. {@link ReadRoleAuditCache} keeps a pass for a while.
 *
 * <p>The query lists facts, not a verdict, so the rules are here where they can be tested: one row per finding,
 * each {@code (kind, object, privilege, via)} in text, {@code via} the role that holds it (the login role or a role
 * it is a member of, since a member may {@code SET ROLE}; {@code PUBLIC} for a grant to everyone). Only findings are
 * listed, besides one {@code login} row, the role's own settings and two server settings, so a good role answers a
 * handful of rows. The checks run for every role the login role is a member of, directly or through others,
 * whatever {@code INHERIT} and {@code SET} say.
 */
public final class ReadRoleAudit {

    /**
     * The audit's one statement, for a simple Query (no parameters, only catalog reads, every name schema-qualified
     * so the session's {@code search_path} changes nothing). Runs on PostgreSQL 12 and later.
     */
    public static final String QUERY = """
            WITH me AS (
                SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r
                WHERE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER')),
            db AS (SELECT d.oid, d.datname FROM pg_catalog.pg_database d
                WHERE d.datname = pg_catalog.current_database())
            SELECT 'login' AS kind, session_user::text AS object, '' AS privilege, session_user::text AS via
            UNION ALL
            SELECT 'attribute', me.rolname::text, a.attr, me.rolname::text
              FROM me JOIN pg_catalog.pg_roles r ON r.oid = me.oid
              CROSS JOIN LATERAL (VALUES ('SUPERUSER', r.rolsuper), ('CREATEROLE', r.rolcreaterole),
                  ('CREATEDB', r.rolcreatedb), ('REPLICATION', r.rolreplication), ('BYPASSRLS', r.rolbypassrls))
                  a(attr, has)
              WHERE a.has
            UNION ALL
            SELECT 'member', me.rolname::text, '', session_user::text FROM me WHERE me.rolname <> session_user
            UNION ALL
            SELECT 'table', pg_catalog.format('%I.%I', n.nspname, c.relname), p.priv, me.rolname::text
              FROM me CROSS JOIN pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) p(priv)
              WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND CASE WHEN p.priv IN ('INSERT', 'UPDATE', 'REFERENCES')
                    THEN pg_catalog.has_any_column_privilege(me.oid, c.oid, p.priv)
                    ELSE pg_catalog.has_table_privilege(me.oid, c.oid, p.priv) END
            UNION ALL
            SELECT 'table', pg_catalog.format('%I.%I', n.nspname, c.relname), a.privilege_type,
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
              WHERE a.privilege_type = 'MAINTAIN' AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM me))
            UNION ALL
            SELECT 'sequence', pg_catalog.format('%I.%I', n.nspname, c.relname), p.priv, me.rolname::text
              FROM me CROSS JOIN pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              CROSS JOIN (VALUES ('USAGE'), ('UPDATE')) p(priv)
              WHERE c.relkind = 'S' AND pg_catalog.has_sequence_privilege(me.oid, c.oid, p.priv)
            UNION ALL
            SELECT 'schema', n.nspname::text, 'CREATE', me.rolname::text
              FROM me CROSS JOIN pg_catalog.pg_namespace n
              WHERE pg_catalog.has_schema_privilege(me.oid, n.oid, 'CREATE')
            UNION ALL
            SELECT 'database', db.datname::text, p.priv, me.rolname::text
              FROM me CROSS JOIN db CROSS JOIN (VALUES ('CREATE'), ('TEMPORARY')) p(priv)
              WHERE pg_catalog.has_database_privilege(me.oid, db.oid, p.priv)
            UNION ALL
            SELECT 'function', pg_catalog.format('%I.%I(%s)', n.nspname, f.proname,
                       pg_catalog.pg_get_function_identity_arguments(f.oid)), 'EXECUTE', me.rolname::text
              FROM me CROSS JOIN pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
              WHERE f.prosecdef AND f.provolatile = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND pg_catalog.has_function_privilege(me.oid, f.oid, 'EXECUTE')
            UNION ALL
            SELECT 'owner', pg_catalog.pg_describe_object(s.classid, s.objid, s.objsubid), '', me.rolname::text
              FROM pg_catalog.pg_shdepend s JOIN me ON me.oid = s.refobjid
              WHERE s.deptype = 'o' AND s.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
                AND (s.dbid = 0 OR s.dbid = (SELECT oid FROM db))
            UNION ALL
            SELECT 'large object', m.oid::text, 'UPDATE',
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END
              FROM pg_catalog.pg_largeobject_metadata m CROSS JOIN LATERAL pg_catalog.aclexplode(m.lomacl) a
              WHERE a.privilege_type = 'UPDATE' AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM me))
            UNION ALL
            SELECT 'role setting', CASE WHEN s.setdatabase = 0 THEN 'role' ELSE 'database' END, cfg,
                   session_user::text
              FROM pg_catalog.pg_db_role_setting s CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) cfg
              WHERE s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user)
                AND (s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM db))
            UNION ALL
            SELECT 'setting', name::text, setting::text, '' FROM pg_catalog.pg_settings
              WHERE name IN ('temp_file_limit', 'lo_compat_privileges')
            """;

    /** The columns of {@link #QUERY}, in order. */
    public static final List<String> COLUMNS = List.of("kind", "object", "privilege", "via");

    /**
     * Predefined roles that only read; membership in any other {@code pg_*} role is refused (the server-file roles,
     * {@code pg_signal_backend}, {@code pg_write_all_data}, {@code pg_maintain}, {@code pg_checkpoint}, {@code
     * pg_create_subscription}, …, and {@code pg_database_owner}: the owner of the database).
     */
    public static final Set<String> READ_ONLY_PREDEFINED_ROLES = Set.of(
            "pg_read_all_data", "pg_read_all_settings", "pg_read_all_stats", "pg_stat_scan_tables", "pg_monitor");

    /**
     * The SQLSTATE of a read session refused because its credential can write ({@code
     * sqlserver_rejected_establishment_of_sqlconnection}): the target is misconfigured, not the client's login.
     */
    public static final String SQLSTATE_REFUSED = "08004";

    private ReadRoleAudit() {}

    /**
     * The FATAL message for a read session the audit refused: the connection, the first reason (the read role may
     * read its own privileges anyway, so naming them tells the client nothing new) and where the fix is.
     */
    public static String refusalMessage(String connection, Verdict verdict) {
        return "read sessions of connection \"" + connection + "\" are refused: its read credential can write ("
                + verdict.summary() + "); see session-proxy's README, \"A read-only role on the target\"";
    }

    /** One row of {@link #QUERY}'s answer; a NULL reads as an empty string. */
    public record Row(String kind, String object, String privilege, String via) {

        public Row {
            kind = kind == null ? "" : kind;
            object = object == null ? "" : object;
            privilege = privilege == null ? "" : privilege;
            via = via == null ? "" : via;
        }
    }

    /**
     * The outcome: passed, or every reason the credential cannot serve {@code read} sessions, each naming the role,
     * the privilege and the object.
     */
    public record Verdict(List<String> problems) {

        public Verdict {
            problems = List.copyOf(problems);
        }

        public boolean passed() {
            return problems.isEmpty();
        }

        /** The first reason, and how many more: for an error message of bounded length. */
        public String summary() {
            if (problems.isEmpty()) {
                return "the read role cannot write";
            }
            return problems.get(0) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
        }
    }

    /**
     * Judges {@link #QUERY}'s answer. Pure.
     *
     * @param rows every row, in the order received
     * @param tempFileLimitKb the session limit the role's own {@code temp_file_limit} must not exceed (kB)
     */
    public static Verdict evaluate(List<Row> rows, long tempFileLimitKb) {
        List<String> problems = new ArrayList<>();
        String login = null;
        for (Row r : rows) {
            if (r.kind().equals("login")) {
                if (login != null) {
                    problems.add("the audit answered two login rows");
                }
                login = r.object();
            }
        }
        if (login == null) {
            return new Verdict(List.of("the audit query answered no login row; the role was not audited"));
        }
        String dtro = null;
        String dtroDatabase = null;
        boolean sawTempFileLimit = false;
        boolean sawLoCompat = false;
        for (Row r : rows) {
            String who = who(login, r.via());
            switch (r.kind()) {
                case "login" -> {}
                case "attribute" -> problems.add(who + " has the attribute " + r.privilege());
                case "member" -> membership(login, r.object()).ifPresent(problems::add);
                case "table" -> {
                    // PUBLIC's default UPDATE on the pg_settings view is set_config(), refused in a read-only
                    // transaction and by the proxy like every UPDATE
                    if (!(r.object().equals("pg_catalog.pg_settings")
                            && r.privilege().equals("UPDATE"))) {
                        problems.add(who + " has " + r.privilege() + " on table " + r.object());
                    }
                }
                case "sequence" ->
                    problems.add(who + " has " + r.privilege() + " on sequence " + r.object() + " (nextval/setval)");
                case "schema" -> problems.add(who + " has CREATE on schema " + r.object());
                case "database" -> problems.add(who + " has " + r.privilege() + " on database " + r.object());
                case "function" ->
                    problems.add(who + " may EXECUTE the SECURITY DEFINER function " + r.object()
                            + ", which is VOLATILE (it may write as its owner)");
                case "owner" -> problems.add(who + " owns " + r.object());
                case "large object" -> problems.add(who + " has UPDATE on large object " + r.object());
                case "role setting" -> {
                    String value = settingValue(r.privilege(), "default_transaction_read_only");
                    if (value != null && r.object().equals("database")) {
                        dtroDatabase = value;
                    } else if (value != null) {
                        dtro = value;
                    }
                }
                case "setting" -> {
                    if (r.object().equals("temp_file_limit")) {
                        sawTempFileLimit = true;
                        tempFileLimit(login, r.privilege(), tempFileLimitKb).ifPresent(problems::add);
                    } else if (r.object().equals("lo_compat_privileges")) {
                        sawLoCompat = true;
                        if (isTrue(r.privilege())) {
                            problems.add("lo_compat_privileges is on: every role may write every large object");
                        }
                    }
                }
                default -> problems.add("the audit answered a row of unknown kind '" + r.kind() + "'");
            }
        }
        // ALTER ROLE … IN DATABASE overrides ALTER ROLE for that database
        String effective = dtroDatabase != null ? dtroDatabase : dtro;
        if (effective == null || !isTrue(effective)) {
            problems.add("default_transaction_read_only is not on for role " + login + " itself"
                    + (effective == null ? "" : " (it is '" + effective + "')")
                    + ": ALTER ROLE " + login + " SET default_transaction_read_only = on");
        }
        if (!sawTempFileLimit || !sawLoCompat) {
            problems.add("the audit answered no temp_file_limit or lo_compat_privileges setting");
        }
        return new Verdict(problems);
    }

    private static String who(String login, String via) {
        if (via.isEmpty() || via.equals(login)) {
            return "role " + login;
        }
        if (via.equals("PUBLIC")) {
            return "every role (PUBLIC), so role " + login + ",";
        }
        return "role " + login + ", as a member of role " + via + ",";
    }

    private static Optional<String> membership(String login, String role) {
        if (READ_ONLY_PREDEFINED_ROLES.contains(role)) {
            return Optional.empty();
        }
        if (role.equals("pg_database_owner")) {
            return Optional.of("role " + login + " owns this database (it is a member of pg_database_owner)");
        }
        if (role.startsWith("pg_")) {
            return Optional.of("role " + login + " is a member of " + role);
        }
        // another role's attributes and privileges are audited in its own rows (via = that role)
        return Optional.empty();
    }

    private static Optional<String> tempFileLimit(String login, String value, long limitKb) {
        long kb;
        try {
            kb = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return Optional.of("temp_file_limit of role " + login + " reads '" + value + "', not kB");
        }
        if (kb >= 0 && kb <= limitKb) {
            return Optional.empty();
        }
        String limit = SessionLimits.formatSize(limitKb);
        return Optional.of("temp_file_limit of role " + login + " is "
                + (kb < 0 ? "unlimited" : SessionLimits.formatSize(kb)) + ", above the session limit " + limit
                + ": ALTER ROLE " + login + " SET temp_file_limit = '" + limit + "'");
    }

    /** The value of {@code name} in one {@code setconfig} entry ({@code name=value}), else null. */
    static String settingValue(String entry, String name) {
        int eq = entry.indexOf('=');
        if (eq < 0 || !entry.substring(0, eq).strip().equalsIgnoreCase(name)) {
            return null;
        }
        return entry.substring(eq + 1).strip();
    }

    /** A boolean as PostgreSQL's parse_bool reads it, true only for the true spellings. */
    static boolean isTrue(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("'") && v.endsWith("'") && v.length() >= 2) {
            v = v.substring(1, v.length() - 1);
        }
        return switch (v) {
            case "on", "1", "t", "tr", "tru", "true", "y", "ye", "yes" -> true;
            default -> false;
        };
    }
}
