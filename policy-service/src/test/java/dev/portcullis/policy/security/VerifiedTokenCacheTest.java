package dev.portcullis.policy.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VerifiedTokenCacheTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        long millis = 1_000_000_000_000L;

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    final ManualClock clock = new ManualClock();

    long inSeconds(long s) {
        return clock.millis / 1000 + s;
    }

    @Test
    void anUnknownTokenMisses() {
        VerifiedTokenCache<String> cache = new VerifiedTokenCache<>(10, 60_000, clock);
        cache.put("a.b.c", "alice", inSeconds(300));
        assertNull(cache.get("a.b.d"));
        assertEquals("alice", cache.get("a.b.c"));
        assertEquals(1, cache.hits());
        assertEquals(1, cache.misses());
    }

    @Test
    void anEntryEndsAtTheTokensExpiry() {
        VerifiedTokenCache<String> cache = new VerifiedTokenCache<>(10, 60_000, clock);
        cache.put("t", "alice", inSeconds(10));
        clock.millis += 9_999;
        assertEquals("alice", cache.get("t"));
        clock.millis += 1;
        assertNull(cache.get("t"), "not one millisecond past exp");
        assertEquals(0, cache.size());
    }

    @Test
    void anEntryEndsAtTheMaximumAgeEvenIfTheTokenLivesLonger() {
        VerifiedTokenCache<String> cache = new VerifiedTokenCache<>(10, 60_000, clock);
        cache.put("t", "alice", inSeconds(3600));
        clock.millis += 60_000;
        assertNull(cache.get("t"));
    }

    @Test
    void anExpiredTokenIsNotRemembered() {
        VerifiedTokenCache<String> cache = new VerifiedTokenCache<>(10, 60_000, clock);
        cache.put("t", "alice", inSeconds(0));
        assertEquals(0, cache.size());
        assertNull(cache.get("t"));
    }

    @Test
    void theSizeIsCappedExpiredEntriesGoFirst() {
        VerifiedTokenCache<String> cache = new VerifiedTokenCache<>(3, 60_000, clock);
        cache.put("short", "s", inSeconds(1));
        cache.put("b", "b", inSeconds(300));
        cache.put("c", "c", inSeconds(300));
        clock.millis += 1_000;
        cache.put("d", "d", inSeconds(300));
        assertEquals(3, cache.size(), "the expired entry made room");
        assertEquals("b", cache.get("b"));
        cache.put("e", "e", inSeconds(300));
        assertEquals(1, cache.size(), "full of live entries: dropped, only the new one kept");
        assertEquals("e", cache.get("e"));
    }
}
