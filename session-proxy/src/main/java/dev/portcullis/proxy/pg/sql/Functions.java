package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.FunctionVolatility.Volatility;
import java.util.List;
import java.util.Set;

/** What the analysis knows about function names without the catalog. */
final class Functions {

    /**
     * pg_catalog functions marked volatile only because their result changes from call to call, with no
     * effect on the database or other sessions. Kept short on purpose: never setval/nextval, set_config,
     * pg_advisory_*, lo_*, pg_terminate_backend, pg_cancel_backend, pg_notify, dblink*, pg_sleep*.
     */
    private static final Set<String> HARMLESS_VOLATILE =
            Set.of("random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid", "uuidv4", "uuidv7");

    /**
     * Marked stable in pg_proc, yet they assign a transaction id (a write by the differential test's measure,
     * and a cost): never read-only.
     */
    private static final Set<String> ASSIGN_XID = Set.of("txid_current", "pg_current_xact_id");

    /**
     * Functions that run SQL given as text, or read whole tables named by a value: the lineage of their
     * result cannot be told from the statement.
     */
    private static final Set<String> RUN_SQL_TEXT = SqlTextFunctions.NAMES;

    /**
     * Names PostgreSQL's grammar turns into expressions of its own when written unqualified
     * ({@code func_expr_common_subexpr} in gram.y): not pg_proc calls, so not looked up in the catalog.
     */
    private static final Set<String> GRAMMAR_FORMS = Set.of(
            "coalesce",
            "greatest",
            "least",
            "nullif",
            "row",
            "array",
            "exists",
            "any",
            "all",
            "some",
            "grouping",
            "treat",
            "cast",
            "xmlconcat",
            "xmlelement",
            "xmlexists",
            "xmlforest",
            "xmlparse",
            "xmlpi",
            "xmlroot",
            "xmlserialize",
            "json",
            "json_object",
            "json_array",
            "json_objectagg",
            "json_arrayagg",
            "json_scalar",
            "json_serialize",
            "json_query",
            "json_exists",
            "json_value",
            "merge_action");

    /** SQL value keywords JSqlParser reads as column names ({@code SELECT current_user}). */
    static final Set<String> VALUE_KEYWORDS = Set.of(
            "current_user",
            "current_role",
            "session_user",
            "user",
            "system_user",
            "current_catalog",
            "current_schema",
            "current_date",
            "current_time",
            "current_timestamp",
            "localtime",
            "localtimestamp",
            "true",
            "false",
            "null",
            "default");

    private Functions() {}

    /** An unqualified name the grammar handles itself, not a function PostgreSQL looks up. */
    static boolean isGrammarForm(String call) {
        return GRAMMAR_FORMS.contains(call);
    }

    /** A call whose lineage is unknowable from the syntax. */
    static boolean runsSqlText(String call) {
        String name = name(call);
        return RUN_SQL_TEXT.contains(name) || name.startsWith("dblink");
    }

    /**
     * Whether calling {@code call} (as recorded in {@code calls}) leaves the database unchanged: the
     * catalog says IMMUTABLE or STABLE, or it is a harmless pg_catalog volatile function.
     */
    static boolean readOnly(String call, FunctionVolatility catalog) {
        int dot = call.lastIndexOf('.');
        String schema = dot < 0 ? null : call.substring(0, dot);
        String name = call.substring(dot + 1);
        if (name.indexOf('"') >= 0 || schema != null && schema.indexOf('.') >= 0) {
            return false; // a quoted name holding a dot: no lookup can be trusted
        }
        boolean builtin = schema == null || schema.equals("pg_catalog");
        if (runsSqlText(call)) {
            return false; // query_to_xml('SELECT setval(…)') runs whatever its text says, stable or not
        }
        if (builtin && ASSIGN_XID.contains(name)) {
            return false;
        }
        // unqualified names resolve to pg_catalog first unless search_path lists pg_catalog later, which
        // SqlAnalyzer refuses as read-only (PgUtility): a shadowing function of the same name is not reached
        if (builtin && HARMLESS_VOLATILE.contains(name)) {
            return true;
        }
        Volatility v = catalog.of(schema, name);
        return v == Volatility.IMMUTABLE || v == Volatility.STABLE;
    }

    private static String name(String call) {
        return call.substring(call.lastIndexOf('.') + 1);
    }

    /** A function name from its parts as JSqlParser keeps them (quotes included), folded and joined. */
    static String callName(List<String> parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            String f = Names.fold(p);
            if (f.indexOf('.') >= 0) {
                f = '"' + f + '"'; // keep a quoted dot from reading as a schema separator
            }
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(f);
        }
        return sb.toString();
    }
}
