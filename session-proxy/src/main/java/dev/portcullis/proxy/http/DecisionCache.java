package dev.portcullis.proxy.http;

import dev.portcullis.proxy.enforcement.Decision;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allow and deny decisions reused for the same agent, access, client address, connection and
 * request (method, path, query, parsed fields) for a short time, so a polling client does not cost a
 * policy round trip per request. Reviews and fail-closed decisions are never kept. Policies that
 * look at the time of day see it at most {@code ttl} late.
 */
final class DecisionCache {

    private static final int MAX_ENTRIES = 10_000;

    private record Entry(Decision decision, long until) {}

    private final long ttlNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    DecisionCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    Decision get(String key) {
        if (ttlNanos <= 0) {
            return null;
        }
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.until > 0) {
            entries.remove(key);
            return null;
        }
        return e.decision;
    }

    void put(String key, Decision d) {
        if (ttlNanos <= 0 || d.action() == Decision.Action.REVIEW || d.isFailClosed()) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            long now = System.nanoTime();
            entries.values().removeIf(e -> now - e.until > 0);
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
        }
        entries.put(key, new Entry(d, System.nanoTime() + ttlNanos));
    }
}
