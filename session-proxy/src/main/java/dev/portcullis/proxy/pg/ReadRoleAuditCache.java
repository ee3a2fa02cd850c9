package dev.portcullis.proxy.pg;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.Credentials;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When a {@code read} credential was last seen to pass {@link ReadRoleAudit}, per connection, target and user: a pass
 * is trusted for {@code portcullis.pg.read-role-audit-interval}, then the next read session audits again (a DBA may
 * have granted something since). A refusal is not kept: every read session audits until the role is fixed, so a fix
 * takes effect at once. Thread-safe; sessions on different event loops share one.
 */
public final class ReadRoleAuditCache {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Long> passedAt = new ConcurrentHashMap<>();

    public ReadRoleAuditCache(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their own) */
    public ReadRoleAuditCache(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = Math.max(0, interval.toNanos());
        this.nanoClock = nanoClock;
    }

    /** Whether a read session of {@code connection} as {@code credentials} must run the audit before its first statement. */
    public boolean needsAudit(Connection connection, Credentials credentials) {
        Long at = passedAt.get(key(connection, credentials));
        return at == null || nanoClock.getAsLong() - at >= intervalNanos;
    }

    /** Records an audit's verdict: a pass is trusted for the interval, a refusal forgets any earlier pass. */
    public void record(Connection connection, Credentials credentials, ReadRoleAudit.Verdict verdict) {
        String key = key(connection, credentials);
        if (verdict.passed()) {
            passedAt.put(key, nanoClock.getAsLong());
        } else {
            passedAt.remove(key);
        }
    }

    private static String key(Connection c, Credentials k) {
        return c.name() + '\n' + c.address() + '\n' + c.database() + '\n' + k.username();
    }
}
