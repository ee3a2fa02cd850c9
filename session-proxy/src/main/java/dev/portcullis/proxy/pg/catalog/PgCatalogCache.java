package dev.portcullis.proxy.pg.catalog;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Catalog snapshots shared by the sessions of one connection (the connections file's name) and one backend role and
 * startup search_path. Each connection has a generation: a statement that is not read-only (DDL, or anything the
 * proxy could not prove read-only) ran through the proxy on that connection → {@link #invalidate} bumps it and drops
 * every snapshot of the connection, whatever the role (one role's DDL changes what another sees). A snapshot loaded
 * while the generation moved is not stored ({@link #put} answers false), so a load racing with DDL cannot keep the
 * old catalog alive. The TTL is the backstop for changes made outside the proxy. Thread-safe.
 */
public final class PgCatalogCache {

    /** Sixty seconds: the longest a change made outside the proxy stays unseen. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

    /** What a snapshot depends on besides the target's catalog. */
    public record Key(String connection, String role, String searchPath) {
        public Key {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(role, "role");
            searchPath = searchPath == null ? "" : searchPath;
        }
    }

    private record Entry(PgCatalog catalog, long generation, long loadedAtNanos) {}

    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();

    /**
     * @param ttl how long a snapshot is used at most
     * @param nanoClock a monotonic clock ({@code System::nanoTime}; tests pass their own)
     */
    public PgCatalogCache(Duration ttl, LongSupplier nanoClock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("catalog cache TTL must be positive");
        }
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = nanoClock;
    }

    public PgCatalogCache() {
        this(DEFAULT_TTL, System::nanoTime);
    }

    /** The connection's current generation: read it before running {@link PgCatalog#LOAD_SQL}, pass it to put. */
    public long generation(String connection) {
        return counter(connection).get();
    }

    /** A snapshot of this key that is of the current generation and younger than the TTL, else empty. */
    public Optional<PgCatalog> get(Key key) {
        Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.generation != generation(key.connection()) || nanoClock.getAsLong() - e.loadedAtNanos >= ttlNanos) {
            entries.remove(key, e);
            return Optional.empty();
        }
        return Optional.of(e.catalog);
    }

    /**
     * Stores a snapshot loaded while the connection was at {@code generation}; false (and nothing stored) when the
     * connection was invalidated since — the caller may still use its snapshot for the statement at hand only if it
     * loads again, since DDL ran meanwhile.
     */
    public boolean put(Key key, long generation, PgCatalog catalog) {
        Objects.requireNonNull(catalog, "catalog");
        AtomicLong counter = counter(key.connection());
        synchronized (counter) {
            if (counter.get() != generation) {
                return false;
            }
            entries.put(key, new Entry(catalog, generation, nanoClock.getAsLong()));
            return true;
        }
    }

    /** Something that may change the catalog ran on the connection: every snapshot of it is stale. */
    public void invalidate(String connection) {
        AtomicLong counter = counter(connection);
        synchronized (counter) {
            counter.incrementAndGet();
            entries.keySet().removeIf(k -> k.connection().equals(connection));
        }
    }

    private AtomicLong counter(String connection) {
        return generations.computeIfAbsent(connection, k -> new AtomicLong());
    }
}
