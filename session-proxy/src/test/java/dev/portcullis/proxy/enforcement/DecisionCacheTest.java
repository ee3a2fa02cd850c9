package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The one decision cache: what a cached decision may answer, and for how long (ADR 0021). */
class DecisionCacheTest {

    static final Duration TTL = Duration.ofSeconds(30);
    final AtomicLong now = new AtomicLong(1_000);
    final DecisionCache cache = new DecisionCache(100, now::get);

    /** A PostgreSQL policy input as PolicyInput builds it, with one statement. */
    static JsonObject pg(String session, String text, String type, List<String> parameters) {
        JsonObject request = new JsonObject()
                .put("protocol", "postgres")
                .put("kind", parameters == null ? "query" : "execute")
                .put("text", text)
                .put(
                        "statements",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("type", type)
                                        .put("tables", new JsonArray().add("t"))
                                        .put("has_where", true)
                                        .put("text", text)));
        if (parameters != null) {
            request.put("parameters", new JsonArray(parameters));
        }
        return new JsonObject()
                .put(
                        "identity",
                        new JsonObject()
                                .put("agent", "ci")
                                .put("subject", "s")
                                .put("scopes", new JsonArray().add("conn:pg:read"))
                                .put("access", "read"))
                .put("connection", new JsonObject().put("name", "pg").put("type", "postgres"))
                .put("session", new JsonObject().put("id", session).put("client_address", "127.0.0.1:5000"))
                .put("request", request)
                .put("time", "2026-11-22T03:12:00." + System.nanoTime() % 1000 + "Z");
    }

    static Decision decision(Decision.Action action, String revision, Decision.CacheScope scope) {
        return new Decision(action, List.of(), List.of(), List.of(), true, "d-" + action, revision, scope);
    }

    static DecisionCache.Key key(JsonObject input) {
        return DecisionCache.key(input, true);
    }

    @Test
    void theSameRequestHitsWhateverTheTimeItWasAskedAt() {
        Decision allow = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.EXACT);
        cache.put(key(pg("s1", "SELECT * FROM t WHERE id = 1", "SELECT", null)), allow, TTL);
        assertSame(allow, cache.get(key(pg("s1", "SELECT * FROM t WHERE id = 1", "SELECT", null))));
    }

    @Test
    void anExactDecisionNeverAnswersAnotherLiteralOrParameter() {
        Decision allow = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.EXACT);
        cache.put(key(pg("s1", "SELECT * FROM t WHERE id = 1", "SELECT", null)), allow, TTL);
        // the statement a text-reading rule would refuse, of the same shape: asked again
        assertNull(cache.get(key(pg("s1", "SELECT * FROM t WHERE id = 2", "SELECT", null))));
        assertNull(cache.get(key(pg("s1", "SELECT * FROM t WHERE id = 1 -- drop", "SELECT", null))));

        cache.put(key(pg("s1", "SELECT * FROM t WHERE id = $1", "SELECT", List.of("1"))), allow, TTL);
        assertSame(allow, cache.get(key(pg("s1", "SELECT * FROM t WHERE id = $1", "SELECT", List.of("1")))));
        assertNull(cache.get(key(pg("s1", "SELECT * FROM t WHERE id = $1", "SELECT", List.of("2")))));
    }

    @Test
    void aShapeDecisionAnswersOtherLiteralsOfTheSameStructureOnly() {
        Decision deny = decision(Decision.Action.DENY, "r1", Decision.CacheScope.SHAPE);
        cache.put(key(pg("s1", "SELECT * FROM t WHERE id = 1", "SELECT", null)), deny, TTL);
        assertSame(deny, cache.get(key(pg("s1", "SELECT * FROM t WHERE id = 2", "SELECT", null))));
        assertSame(deny, cache.get(key(pg("s1", "SELECT * FROM t WHERE id = $1", "SELECT", null))));
        // another structure (type), another session, or another identity is asked again
        assertNull(cache.get(key(pg("s1", "DELETE FROM t WHERE id = 2", "DELETE", null))));
        assertNull(cache.get(key(pg("s2", "SELECT * FROM t WHERE id = 2", "SELECT", null))));
        JsonObject otherScopes = pg("s1", "SELECT * FROM t WHERE id = 2", "SELECT", null);
        otherScopes.getJsonObject("identity").put("scopes", new JsonArray().add("conn:pg:write"));
        assertNull(cache.get(key(otherScopes)));
        // an unknown structural field policy may read stays in the key
        JsonObject writes = pg("s1", "SELECT nextval('s2')", "SELECT", null);
        JsonObject reads = pg("s1", "SELECT nextval('s1')", "SELECT", null);
        writes.getJsonObject("request")
                .getJsonArray("statements")
                .getJsonObject(0)
                .put("writes", new JsonArray().add("s2"));
        reads.getJsonObject("request")
                .getJsonArray("statements")
                .getJsonObject(0)
                .put("writes", new JsonArray().add("s1"));
        cache.put(key(reads), deny, TTL);
        assertNotEquals(key(reads).shape(), key(writes).shape());
        assertNull(cache.get(key(writes)));
    }

    @Test
    void withoutShapeLookupsAShapeDecisionAnswersTheExactRequestOnly() {
        Decision allow = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.SHAPE);
        JsonObject first = pg("s1", "SELECT * FROM t WHERE id = 1", "SELECT", null);
        cache.put(DecisionCache.key(first, false), allow, TTL);
        assertSame(allow, cache.get(DecisionCache.key(first, false)));
        assertNull(cache.get(DecisionCache.key(pg("s1", "SELECT * FROM t WHERE id = 2", "SELECT", null), false)));
        assertNull(cache.get(key(pg("s1", "SELECT * FROM t WHERE id = 2", "SELECT", null))));
    }

    @Test
    void aDecisionOfAnotherRevisionDropsEveryEntry() {
        Decision r1 = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.SHAPE);
        cache.put(key(pg("s1", "SELECT 1", "SELECT", null)), r1, TTL);
        cache.put(key(pg("s1", "SELECT * FROM t", "SELECT", null)), r1, TTL);
        assertSame(r1, cache.get(key(pg("s1", "SELECT 1", "SELECT", null))));

        // a review of the new revision is not kept, but it says the policy changed
        cache.put(
                key(pg("s1", "DELETE FROM t", "DELETE", null)),
                decision(Decision.Action.REVIEW, "r2", Decision.CacheScope.EXACT),
                TTL);
        assertEquals("r2", cache.revision());
        assertEquals(0, cache.size());
        assertNull(cache.get(key(pg("s1", "SELECT 1", "SELECT", null))));
        assertNull(cache.get(key(pg("s1", "SELECT * FROM t", "SELECT", null))));

        Decision r2 = decision(Decision.Action.DENY, "r2", Decision.CacheScope.EXACT);
        cache.put(key(pg("s1", "SELECT 1", "SELECT", null)), r2, TTL);
        assertSame(r2, cache.get(key(pg("s1", "SELECT 1", "SELECT", null))));
        // an answer still in flight from the old revision is not kept, and does not bring the old policy back
        cache.put(key(pg("s1", "SELECT 2", "SELECT", null)), r1, TTL);
        assertEquals("r2", cache.revision());
        assertSame(r2, cache.get(key(pg("s1", "SELECT 1", "SELECT", null))));
        assertNull(cache.get(key(pg("s1", "SELECT 2", "SELECT", null))));

        // long after, a revision seen again is current again (a policy rolled back, a replica that disagreed)
        now.addAndGet(DecisionCache.RETIRED_FOR.toNanos());
        Decision again = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.EXACT);
        cache.put(key(pg("s1", "SELECT 2", "SELECT", null)), again, TTL);
        assertEquals("r1", cache.revision());
        assertSame(again, cache.get(key(pg("s1", "SELECT 2", "SELECT", null))));
        assertNull(cache.get(key(pg("s1", "SELECT 1", "SELECT", null))));
    }

    @Test
    void reviewsFailClosedAndUnattributedDecisionsAreNeverKept() {
        DecisionCache.Key k = key(pg("s1", "DELETE FROM t", "DELETE", null));
        cache.put(k, decision(Decision.Action.REVIEW, "r1", Decision.CacheScope.SHAPE), TTL);
        assertNull(cache.get(k));
        cache.put(k, Decision.failClosed("policy service unavailable"), TTL);
        assertNull(cache.get(k));
        // no provenance: which policy made it is unknown, so it cannot be dropped when that policy changes
        cache.put(k, decision(Decision.Action.ALLOW, null, Decision.CacheScope.SHAPE), TTL);
        assertNull(cache.get(k));
        cache.put(k, decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.SHAPE), Duration.ZERO);
        assertNull(cache.get(k));
        assertEquals(0, cache.size());
    }

    @Test
    void anEntryLivesForItsTtl() {
        DecisionCache.Key k = key(pg("s1", "SELECT 1", "SELECT", null));
        Decision allow = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.EXACT);
        cache.put(k, allow, TTL);
        now.addAndGet(TTL.toNanos());
        assertSame(allow, cache.get(k));
        now.incrementAndGet();
        assertNull(cache.get(k));
    }

    @Test
    void theCacheIsBounded() {
        Decision allow = decision(Decision.Action.ALLOW, "r1", Decision.CacheScope.EXACT);
        for (int i = 0; i < 250; i++) {
            cache.put(key(pg("s1", "SELECT " + i, "SELECT", null)), allow, TTL);
            assertTrue(cache.size() <= 100, () -> "size " + cache.size());
        }
        assertSame(allow, cache.get(key(pg("s1", "SELECT 249", "SELECT", null))));
    }

    @Test
    void theKeyHoldsNoTextAndIgnoresOnlyTheLiterals() {
        DecisionCache.Key k = key(pg("s1", "SELECT 'secret@example.com'", "SELECT", null));
        assertTrue(!k.exact().contains("secret") && !k.shape().contains("secret"), k::toString);
        JsonObject structural = DecisionCache.structural(
                pg("s1", "SELECT 1", "SELECT", List.of("1")).getJsonObject("request"));
        assertEquals(
                new JsonObject()
                        .put("protocol", "postgres")
                        .put("kind", "execute")
                        .put(
                                "statements",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("type", "SELECT")
                                                .put("tables", new JsonArray().add("t"))
                                                .put("has_where", true))),
                structural);
    }

    @Test
    void concurrentUseNeverAnswersAnotherRequest() throws Exception {
        DecisionCache shared = new DecisionCache(1_000);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            results.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 2_000; i++) {
                    String revision = "r" + (i / 500); // every thread moves through four revisions
                    String text = "SELECT " + (i % 50);
                    DecisionCache.Key k = key(pg("s" + id, text, "SELECT", null));
                    Decision seen = shared.get(k);
                    if (seen != null && !seen.decisionId().equals(id + ":" + text)) {
                        return "thread " + id + " got " + seen.decisionId() + " for " + text;
                    }
                    shared.put(
                            k,
                            new Decision(
                                    Decision.Action.ALLOW,
                                    List.of(),
                                    List.of(),
                                    List.of(),
                                    true,
                                    id + ":" + text,
                                    revision,
                                    Decision.CacheScope.EXACT),
                            TTL);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<String> r : results) {
            assertNull(r.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertTrue(shared.size() <= 1_000);
    }

    @Test
    void aSessionsSharedInputGivesTheKeysOfTheWholeInput() {
        PolicyInput.Session one = session("session-1");
        PolicyInput.Session other = session("session-2");
        JsonObject request =
                pg("x", "SELECT * FROM t WHERE id = 1", "SELECT", null).getJsonObject("request");
        JsonObject same =
                pg("x", "SELECT * FROM t WHERE id = 1", "SELECT", null).getJsonObject("request");
        JsonObject literal =
                pg("x", "SELECT * FROM t WHERE id = 2", "SELECT", null).getJsonObject("request");
        for (boolean byShape : new boolean[] {true, false}) {
            DecisionCache.Key k = DecisionCache.key(one, request, byShape);
            // the same keys as the input the session builds, whenever it is stamped
            assertEquals(k, DecisionCache.key(one.input(request), byShape));
            assertEquals(k, DecisionCache.key(one, same, byShape));
            assertNotEquals(k.exact(), DecisionCache.key(one, literal, byShape).exact());
            assertNotEquals(
                    k.exact(), DecisionCache.key(other, request, byShape).exact(), "another session");
        }
        assertEquals(
                DecisionCache.key(one, request, true).shape(),
                DecisionCache.key(one, literal, true).shape(),
                "literals are not part of the shape");
        assertNotEquals(
                DecisionCache.key(one, request, true).shape(),
                DecisionCache.key(other, request, true).shape(),
                "the session is");
    }

    @Test
    void aKnownShapeGivesTheSameKeysAsTheWholeRequest() {
        PolicyInput.Session session = session("session-1");
        String sql = "SELECT * FROM t WHERE id = $1";
        JsonObject first = pg("x", sql, "SELECT", List.of("1")).getJsonObject("request");
        String shape = DecisionCache.shapeOf(session, first);
        // the Binds of one prepared statement: other parameters, the same structure
        for (List<String> params : List.<List<String>>of(List.of("1"), List.of("2"), List.of("it's"), List.of())) {
            JsonObject bind = pg("x", sql, "SELECT", params).getJsonObject("request");
            for (boolean byShape : new boolean[] {true, false}) {
                assertEquals(
                        DecisionCache.key(session, bind, byShape),
                        DecisionCache.withShape(shape, bind, byShape),
                        "parameters " + params + ", byShape " + byShape);
            }
        }
        assertNotEquals(
                DecisionCache.withShape(shape, first, false).exact(),
                DecisionCache.withShape(
                                shape, pg("x", sql, "SELECT", List.of("2")).getJsonObject("request"), false)
                        .exact(),
                "the exact key still tells parameters apart");
        assertNotEquals(
                shape,
                DecisionCache.shapeOf(
                        session, pg("x", sql, "DELETE", List.of("1")).getJsonObject("request")),
                "another structure is another shape");
    }

    /** A session of agent ci on connection pg, read access, started at a fixed time. */
    private static PolicyInput.Session session(String id) {
        return PolicyInput.Session.of(
                PolicyInputFixturesTest.identity("ci", "s-1", "conn:pg:read", "read"),
                PolicyInputFixturesTest.connection("pg", dev.portcullis.contracts.connections.ConnectionType.POSTGRES),
                id,
                "127.0.0.1:5000",
                java.time.Instant.parse("2026-11-22T03:12:00Z"));
    }
}
