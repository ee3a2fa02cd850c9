package dev.portcullis.proxy.pg.sql;

/**
 * What a name in a statement's FROM clauses (an alias, or a table's own name when it has none) stands for.
 *
 * @param kind a base table, a CTE, a sub-select, or a set-returning function
 * @param name the table as written and folded ({@code public.customers}); the CTE's name; null for a
 *     sub-select or function
 */
public record FromSource(Kind kind, String name) {

    public enum Kind {
        TABLE,
        CTE,
        DERIVED,
        FUNCTION
    }
}
