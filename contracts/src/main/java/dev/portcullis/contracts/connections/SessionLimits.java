package dev.portcullis.contracts.connections;

import java.time.Duration;
import java.util.Optional;

/**
 * Limits on one agent session at a postgres target, so a token (a read token included) cannot hold the database
 * hostage (docs/architecture.md "Connections"). Each field is optional in the connections file ({@code
 * sessionLimits}); a missing one is null here and session-proxy applies its own default
 * ({@code portcullis.pg.session-limits.*}), see {@link #orElse}.
 *
 * @param statementTimeout PostgreSQL's {@code statement_timeout}: the longest one statement may run
 * @param idleInTransactionSessionTimeout {@code idle_in_transaction_session_timeout}: how long a session may sit in
 *     an open transaction (holding its locks and snapshot) without a statement
 * @param lockTimeout {@code lock_timeout}: the longest a statement waits for a lock
 * @param tempFileLimitKb {@code temp_file_limit} in kB: the temporary file space one session may use (a sort or
 *     hash spilling to disk)
 */
public record SessionLimits(
        Duration statementTimeout,
        Duration idleInTransactionSessionTimeout,
        Duration lockTimeout,
        Long tempFileLimitKb) {

    /** No limit from the file: every field comes from the proxy's defaults. */
    public static final SessionLimits NONE = new SessionLimits(null, null, null, null);

    /**
     * The largest timeout PostgreSQL takes: its timeouts are milliseconds in a 32-bit integer (about 24.8 days).
     */
    public static final Duration MAX_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

    /** The largest {@code temp_file_limit}: kilobytes in a 32-bit integer (about 2 TB). */
    public static final long MAX_TEMP_FILE_LIMIT_KB = Integer.MAX_VALUE;

    /** The units {@link #parseSize} reads, as PostgreSQL spells them. */
    public static final String SIZE_RULE = "a positive size in kB, MB, GB or TB, e.g. 512MB or 1GB";

    /** Each field this record leaves open taken from {@code defaults}. */
    public SessionLimits orElse(SessionLimits defaults) {
        return new SessionLimits(
                statementTimeout != null ? statementTimeout : defaults.statementTimeout,
                idleInTransactionSessionTimeout != null
                        ? idleInTransactionSessionTimeout
                        : defaults.idleInTransactionSessionTimeout,
                lockTimeout != null ? lockTimeout : defaults.lockTimeout,
                tempFileLimitKb != null ? tempFileLimitKb : defaults.tempFileLimitKb);
    }

    /**
     * A {@code temp_file_limit} as PostgreSQL writes sizes ({@code 512MB}, {@code 1GB}; units kB, MB, GB, TB, case as
     * PostgreSQL spells them), in kilobytes. Empty when {@code text} is not such a size, not positive or above
     * {@link #MAX_TEMP_FILE_LIMIT_KB}.
     */
    public static Optional<Long> parseSize(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip();
        int digits = 0;
        while (digits < s.length() && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 13) {
            return Optional.empty();
        }
        long n = Long.parseLong(s.substring(0, digits));
        long factor = switch (s.substring(digits).strip()) {
            case "kB" -> 1;
            case "MB" -> 1024;
            case "GB" -> 1024 * 1024;
            case "TB" -> 1024L * 1024 * 1024;
            default -> -1;
        };
        if (factor < 0 || n <= 0 || n > MAX_TEMP_FILE_LIMIT_KB / factor) {
            return Optional.empty();
        }
        return Optional.of(n * factor);
    }

    /** A size in kB as PostgreSQL accepts it, in the largest unit that divides it ({@code 1048576} → {@code 1GB}). */
    public static String formatSize(long kb) {
        String[] units = {"kB", "MB", "GB", "TB"};
        int u = 0;
        long v = kb;
        while (u < units.length - 1 && v % 1024 == 0 && v != 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
