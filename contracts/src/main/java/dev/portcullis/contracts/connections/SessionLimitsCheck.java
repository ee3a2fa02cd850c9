package dev.portcullis.contracts.connections;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The {@code sessionLimits} block of a postgres connection ({@link SessionLimits}): the timeouts are positive ISO-8601
 * durations of at most {@link SessionLimits#MAX_TIMEOUT}, {@code tempFileLimit} a size as PostgreSQL writes it, and
 * an unknown key is an error like everywhere in the file. There is no "off": a connection that needs long statements
 * says how long.
 */
final class SessionLimitsCheck {

    static final String STATEMENT_TIMEOUT = "statementTimeout";
    static final String IDLE_IN_TRANSACTION_SESSION_TIMEOUT = "idleInTransactionSessionTimeout";
    static final String LOCK_TIMEOUT = "lockTimeout";
    static final String TEMP_FILE_LIMIT = "tempFileLimit";
    private static final Set<String> FIELDS =
            Set.of(STATEMENT_TIMEOUT, IDLE_IN_TRANSACTION_SESSION_TIMEOUT, LOCK_TIMEOUT, TEMP_FILE_LIMIT);

    private SessionLimitsCheck() {}

    /**
     * The limits of {@code value} (the block at {@code path}); reports each problem to {@code error} (field, message)
     * and leaves that limit open.
     */
    static SessionLimits check(String path, Object value, BiConsumer<String, String> error) {
        if (!(value instanceof Map<?, ?> block)) {
            error.accept(path, "must be a map such as { statementTimeout: PT5M, tempFileLimit: 1GB }");
            return SessionLimits.NONE;
        }
        for (Object key : block.keySet()) {
            if (!FIELDS.contains(String.valueOf(key))) {
                error.accept(
                        path + "." + key,
                        "unknown field; one of statementTimeout, idleInTransactionSessionTimeout, lockTimeout, "
                                + "tempFileLimit");
            }
        }
        return new SessionLimits(
                timeout(path + "." + STATEMENT_TIMEOUT, block.get(STATEMENT_TIMEOUT), error),
                timeout(
                        path + "." + IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                        block.get(IDLE_IN_TRANSACTION_SESSION_TIMEOUT),
                        error),
                timeout(path + "." + LOCK_TIMEOUT, block.get(LOCK_TIMEOUT), error),
                size(path + "." + TEMP_FILE_LIMIT, block.get(TEMP_FILE_LIMIT), error));
    }

    private static Duration timeout(String field, Object value, BiConsumer<String, String> error) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            error.accept(field, "must be an ISO-8601 duration such as PT30S or PT5M");
            return null;
        }
        Duration d;
        try {
            d = Duration.parse(s);
        } catch (DateTimeParseException e) {
            error.accept(field, "'" + s + "' is not an ISO-8601 duration such as PT30S or PT5M");
            return null;
        }
        if (d.isNegative() || d.toMillis() < 1) {
            error.accept(field, "'" + s + "' must be at least 1 ms (a limit cannot be turned off here)");
            return null;
        }
        if (d.compareTo(SessionLimits.MAX_TIMEOUT) > 0) {
            error.accept(field, "'" + s + "' is longer than PostgreSQL takes (2147483647 ms, about 24 days)");
            return null;
        }
        return d;
    }

    private static Long size(String field, Object value, BiConsumer<String, String> error) {
        if (value == null) {
            return null;
        }
        Long kb = value instanceof String s ? SessionLimits.parseSize(s).orElse(null) : null;
        if (kb == null) {
            error.accept(field, "must be " + SessionLimits.SIZE_RULE + " (at most 2147483647kB)");
        }
        return kb;
    }
}
