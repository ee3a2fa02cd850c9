package dev.portcullis.policy.security;

import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Remembers bearer tokens that quarkus-oidc has fully verified (signature, issuer, audience,
 * expiry), so the same token presented again skips the RSA verification and JSON parsing that
 * made up most of the cost of an authenticated request (session-proxy sends one token for
 * thousands of decisions).
 *
 * <p>Safety: the key is the exact token string, so a tampered or different token never hits; an
 * entry lives until the token's own {@code exp} or {@code maxAgeMillis} after it was verified,
 * whichever is sooner, so a key removed from Keycloak's JWKS stops being honoured within
 * {@code maxAgeMillis}; the size is capped (expired entries are purged first, then everything is
 * dropped, which only costs re-verification). Roles are still those of the verified token: the
 * cached value is the identity quarkus-oidc built from it.
 *
 * @param <V> what is remembered for a token (the verified identity)
 */
public final class VerifiedTokenCache<V> {

    private record Entry<V>(V value, long expiresAtMillis) {}

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long maxAgeMillis;
    private final Clock clock;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public VerifiedTokenCache(int maxEntries, long maxAgeMillis, Clock clock) {
        if (maxEntries < 1 || maxAgeMillis < 1) {
            throw new IllegalArgumentException("maxEntries and maxAgeMillis must be positive");
        }
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
    }

    /** The value stored for {@code token} if it has not expired, else null. */
    public V get(String token) {
        Entry<V> e = entries.get(token);
        if (e == null) {
            misses.increment();
            return null;
        }
        if (clock.millis() >= e.expiresAtMillis()) {
            entries.remove(token, e);
            misses.increment();
            return null;
        }
        hits.increment();
        return e.value();
    }

    /**
     * Remembers {@code value} for {@code token}, which expires at {@code tokenExpiresAtSeconds}
     * (the {@code exp} claim). A token without a future {@code exp} is not remembered.
     */
    public void put(String token, V value, long tokenExpiresAtSeconds) {
        long now = clock.millis();
        long until = Math.min(tokenExpiresAtSeconds * 1000, now + maxAgeMillis);
        if (until <= now) {
            return;
        }
        if (entries.size() >= maxEntries) {
            purge(now);
        }
        entries.put(token, new Entry<>(value, until));
    }

    private void purge(long now) {
        for (Iterator<Entry<V>> it = entries.values().iterator(); it.hasNext(); ) {
            if (now >= it.next().expiresAtMillis()) {
                it.remove();
            }
        }
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
    }

    public int size() {
        return entries.size();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }
}
