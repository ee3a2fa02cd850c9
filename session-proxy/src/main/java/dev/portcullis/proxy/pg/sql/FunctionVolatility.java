package dev.portcullis.proxy.pg.sql;

/**
 * What the target's catalog ({@code pg_proc.provolatile}) says about the functions a statement
 * calls. A statement is read-only only if every function it calls is known and never volatile.
 */
public interface FunctionVolatility {

    enum Volatility {
        IMMUTABLE,
        STABLE,
        VOLATILE,
        /** Not in the catalog as seen by this role (or not loaded): treated as volatile. */
        UNKNOWN
    }

    /**
     * The strictest volatility over every overload of {@code name} visible to the session.
     *
     * @param schema the qualifier as written, or null when unqualified
     * @param name the function name as PostgreSQL folds it (lower case unless quoted)
     */
    Volatility of(String schema, String name);

    /** Knows nothing: every call is volatile. */
    FunctionVolatility NONE = (schema, name) -> Volatility.UNKNOWN;
}
