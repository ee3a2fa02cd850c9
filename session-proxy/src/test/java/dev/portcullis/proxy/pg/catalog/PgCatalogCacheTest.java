package dev.portcullis.proxy.pg.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PgCatalogCacheTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final PgCatalogCache cache = new PgCatalogCache(Duration.ofSeconds(60), now::get);
    private final PgCatalogCache.Key reader = new PgCatalogCache.Key("pg-demo", "demo_ro", null);
    private final PgCatalogCache.Key writer = new PgCatalogCache.Key("pg-demo", "demo_rw", null);
    private final PgCatalogCache.Key elsewhere = new PgCatalogCache.Key("pg-other", "demo_ro", null);
    private final PgCatalog snapshot = PgCatalog.EMPTY.withSearchPath(List.of("public"));

    @Test
    void aSnapshotIsServedUntilItsTtl() {
        assertTrue(cache.get(reader).isEmpty());
        assertTrue(cache.put(reader, cache.generation("pg-demo"), snapshot));
        assertSame(snapshot, cache.get(reader).orElseThrow());
        assertTrue(cache.get(writer).isEmpty(), "another role loads its own");
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertSame(snapshot, cache.get(reader).orElseThrow());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(cache.get(reader).isEmpty(), "stale at the TTL");
    }

    @Test
    void invalidationDropsEveryRoleOfTheConnectionOnly() {
        cache.put(reader, cache.generation("pg-demo"), snapshot);
        cache.put(writer, cache.generation("pg-demo"), snapshot);
        cache.put(elsewhere, cache.generation("pg-other"), snapshot);
        cache.invalidate("pg-demo");
        assertTrue(cache.get(reader).isEmpty());
        assertTrue(cache.get(writer).isEmpty());
        assertSame(snapshot, cache.get(elsewhere).orElseThrow());
    }

    @Test
    void aLoadThatRacedWithDdlIsNotStored() {
        long generation = cache.generation("pg-demo");
        cache.invalidate("pg-demo"); // DDL ran while the snapshot was loading
        assertFalse(cache.put(reader, generation, snapshot));
        assertTrue(cache.get(reader).isEmpty());
        assertEquals(generation + 1, cache.generation("pg-demo"));
        assertTrue(cache.put(reader, cache.generation("pg-demo"), snapshot));
    }

    @Test
    void theStartupSearchPathIsPartOfTheKey() {
        PgCatalogCache.Key custom = new PgCatalogCache.Key("pg-demo", "demo_ro", "app, public");
        cache.put(reader, cache.generation("pg-demo"), snapshot);
        assertTrue(cache.get(custom).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new PgCatalogCache(Duration.ZERO, now::get));
    }
}
