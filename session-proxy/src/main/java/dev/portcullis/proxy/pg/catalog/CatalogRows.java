package dev.portcullis.proxy.pg.catalog;

import dev.portcullis.proxy.pg.sql.SqlTextFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The catalog query and the parsing of its rows. One query, one round trip, one result of six text
 * columns whose first says what the row is; the session runs it as a simple query on its own backend
 * connection right after login, so it sees exactly the role's search_path and schemas.
 */
final class CatalogRows {

    private CatalogRows() {}

    /** See {@link PgCatalog#SQL_TEXT_FUNCTIONS}. */
    static final Set<String> SQL_TEXT_FUNCTIONS = SqlTextFunctions.NAMES;

    /** {@code p}: one search_path schema (ordinal, name), as {@code current_schemas(true)} gives it. */
    static final String SEARCH_PATH_SQL =
            "SELECT 'p', t.ord::text, t.s::text, NULL, NULL, NULL FROM unnest(current_schemas(true)) WITH ORDINALITY AS t(s, ord)";

    /**
     * {@code r}: one relation (oid, schema, name, relkind, columns by attnum as an array literal with NULL for a
     * dropped column). Every schema but TOAST and other sessions' temporary schemas: a view's base table may live
     * in a schema the role cannot use, and its column names are what the mask rules match.
     */
    static final String RELATIONS_SQL = "SELECT 'r', c.oid::text, n.nspname::text, c.relname::text, c.relkind::text,"
            + " (SELECT array_agg(CASE WHEN a.attisdropped THEN NULL ELSE a.attname END ORDER BY a.attnum)"
            + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)::text"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
            + " AND (n.nspname !~ '^pg_(toast|temp_)' OR n.oid = pg_catalog.pg_my_temp_schema())";

    /**
     * {@code d}: a relation a view or materialized view reads (view oid, relation oid), from the dependencies of
     * its {@code _RETURN} rule. Relation-level, not column-level: PostgreSQL drops a whole-row dependency when the
     * same rule also names one of the table's columns, so the columns listed cannot prove which values the view
     * exposes. The system schemas' views are left out (their base tables are system catalogs).
     */
    static final String VIEW_DEPENDENCIES_SQL =
            "SELECT DISTINCT 'd', r.ev_class::text, d.refobjid::text, NULL, NULL, NULL"
                    + " FROM pg_catalog.pg_rewrite r"
                    + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid"
                    + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class"
                    + " JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
                    + " WHERE r.ev_type = '1' AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                    + " AND d.refobjid <> r.ev_class AND vn.nspname NOT IN ('pg_catalog', 'information_schema')";

    /**
     * {@code g}: any other object a view's rule depends on (view oid, catalog, object oid, function name): a
     * user-defined function, operator or cast can read any table, so such a view has no knowable lineage. Pinned
     * (built-in) objects get no pg_depend rows at all.
     */
    static final String VIEW_CALLS_SQL =
            "SELECT DISTINCT 'g', r.ev_class::text, d.refclassid::pg_catalog.regclass::text, d.refobjid::text,"
                    + " (SELECT p.proname::text FROM pg_catalog.pg_proc p"
                    + " WHERE d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = d.refobjid), NULL"
                    + " FROM pg_catalog.pg_rewrite r"
                    + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
                    + " AND d.objid = r.oid"
                    + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class"
                    + " JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
                    + " WHERE r.ev_type = '1' AND d.refclassid NOT IN ('pg_catalog.pg_class'::pg_catalog.regclass,"
                    + " 'pg_catalog.pg_type'::pg_catalog.regclass, 'pg_catalog.pg_collation'::pg_catalog.regclass,"
                    + " 'pg_catalog.pg_namespace'::pg_catalog.regclass)"
                    + " AND vn.nspname NOT IN ('pg_catalog', 'information_schema')";

    /**
     * {@code g} as well: a built-in function of {@link #SQL_TEXT_FUNCTIONS} a user view calls. Built-in functions are
     * pinned, so pg_depend has no row for them: the view's stored rule ({@code ev_action}) names them by
     * {@code :funcid}. Only user views' rules are searched, a few KB.
     */
    static final String VIEW_SQL_TEXT_CALLS_SQL =
            "SELECT DISTINCT 'g', r.ev_class::text, 'pg_proc', p.oid::text, p.proname::text, NULL"
                    + " FROM pg_catalog.pg_rewrite r"
                    + " JOIN pg_catalog.pg_class v ON v.oid = r.ev_class"
                    + " JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace"
                    + " JOIN pg_catalog.pg_proc p ON p.pronamespace = 'pg_catalog'::pg_catalog.regnamespace"
                    + " AND p.proname IN ("
                    + SQL_TEXT_FUNCTIONS.stream()
                            .sorted()
                            .map(f -> "'" + f + "'")
                            .collect(Collectors.joining(", "))
                    + ")"
                    + " WHERE r.ev_type = '1' AND vn.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND pg_catalog.strpos(r.ev_action::text, ':funcid ' || p.oid::text || ' ') > 0";

    /**
     * {@code f}: function names of one schema and one volatility (schema, provolatile, names as an array literal);
     * grouped so that ~2,800 functions cost a handful of rows.
     */
    static final String FUNCTIONS_SQL =
            "SELECT 'f', n.nspname::text, p.provolatile::text, array_agg(DISTINCT p.proname)::text, NULL, NULL"
                    + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE n.nspname !~ '^pg_(toast|temp_)' GROUP BY n.nspname, p.provolatile";

    static final String LOAD_SQL = String.join(
            " UNION ALL ",
            SEARCH_PATH_SQL,
            RELATIONS_SQL,
            VIEW_DEPENDENCIES_SQL,
            VIEW_CALLS_SQL,
            VIEW_SQL_TEXT_CALLS_SQL,
            FUNCTIONS_SQL);

    /** How many text columns each row of {@link #LOAD_SQL} has. */
    static final int COLUMNS = 6;

    /**
     * Parses a one-dimensional array literal as PostgreSQL's {@code array_out} writes it ({@code {a,"b c",NULL}}):
     * elements double-quoted when they hold special characters (with backslash escapes inside), an unquoted
     * {@code NULL} is a null element. A null or malformed literal throws.
     */
    static List<String> parseArray(String literal) {
        if (literal == null || literal.length() < 2 || literal.charAt(0) != '{') {
            throw new IllegalArgumentException("not an array literal");
        }
        List<String> out = new ArrayList<>();
        int i = 1;
        int n = literal.length();
        if (literal.charAt(i) == '}') {
            requireEnd(literal, i + 1);
            return out;
        }
        while (true) {
            StringBuilder b = new StringBuilder();
            boolean quoted = false;
            if (i < n && literal.charAt(i) == '"') {
                quoted = true;
                i++;
                while (i < n && literal.charAt(i) != '"') {
                    if (literal.charAt(i) == '\\') {
                        i++;
                    }
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated array element");
                    }
                    b.append(literal.charAt(i++));
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unterminated array element");
                }
                i++;
            } else {
                while (i < n && literal.charAt(i) != ',' && literal.charAt(i) != '}') {
                    b.append(literal.charAt(i++));
                }
            }
            String e = b.toString();
            out.add(!quoted && e.equalsIgnoreCase("NULL") ? null : e);
            if (i >= n) {
                throw new IllegalArgumentException("unterminated array literal");
            }
            char c = literal.charAt(i++);
            if (c == '}') {
                requireEnd(literal, i);
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("unexpected character in array literal");
            }
        }
    }

    private static void requireEnd(String literal, int i) {
        if (i != literal.length()) {
            throw new IllegalArgumentException("text after the array literal");
        }
    }
}
