package dev.portcullis.proxy.enforcement;

import dev.portcullis.proxy.events.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Allow and deny decisions reused for a short time, one cache for every protocol (docs/architecture.md
 * "Policy", ADR 0021), so a repeated statement or API call does not cost a policy round trip each time.
 *
 * <p>A decision answers another request only when policy would provably answer it the same way:
 * <ul>
 *   <li>by <b>exact key</b>: the whole policy input but its {@code time} (identity, connection, session, and the
 *       request with its text and parameters), so only the very same request of the same session hits;
 *   <li>by <b>shape key</b>, only for a decision whose {@code cacheScope} is {@code SHAPE}: the same input without
 *       the request's literal-bearing fields ({@link #LITERAL_REQUEST_FIELDS}, each statement's {@code text}).
 *       policy-service says {@code shape} only when no rule that can apply reads any of them, so two inputs with
 *       the same shape key get the same decision. Everything else the input holds stays in the key, the
 *       statement analysis included: a structural fact a literal decides (a sequence named in a string) still
 *       tells two requests apart.
 * </ul>
 * Every entry belongs to the policy revision that made it ({@code provenance.revision}). A decision that arrives
 * with another revision drops every entry; a decision without one is not kept; a decision of a revision replaced
 * lately ({@link #RETIRED_FOR}) is not kept either. Reviews and fail-closed
 * decisions are never kept. At most {@code maxEntries} entries; when full, expired ones go, and if none has
 * expired, all of them. Rules that read the time see it at most one {@code ttl} late. Thread-safe.
 */
public final class DecisionCache {

    /**
     * The request fields a shape key leaves out: literal-bearing in policy-service's schema too (its
     * {@code LiteralReads}), which must stay a superset of this list.
     */
    public static final Set<String> LITERAL_REQUEST_FIELDS =
            Set.of("text", "parameters", "command", "path", "query", "name", "host", "port");

    private static final List<String> LITERAL_REQUEST_FIELDS_IN_ORDER =
            LITERAL_REQUEST_FIELDS.stream().sorted().toList();

    /** The statement field a shape key leaves out. */
    public static final String STATEMENT_TEXT = "text";

    /** The keys of one policy input: digests, so an entry never holds the request's text. */
    public record Key(String exact, String shape) {

        /** With {@code shape} null the key looks up, and stores, by the exact request only. */
        public Key {
            if (exact == null) {
                throw new IllegalArgumentException("exact key required");
            }
        }
    }

    private record Entry(Decision decision, String revision, long expiresAt) {}

    /**
     * How long a replaced revision stays retired: an answer of it still in flight when the revision changed
     * (a policy call takes at most {@code portcullis.policy.timeout}, seconds) is neither kept nor allowed to
     * bring the old revision back. Two policy-service replicas that disagree therefore cost hits, never
     * correctness: whichever revision is current, entries are of that one only.
     */
    static final Duration RETIRED_FOR = Duration.ofSeconds(60);

    private static final int MAX_RETIRED = 64;

    private final int maxEntries;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Revisions replaced lately, with when they may become current again (guarded by this). */
    private final Map<String, Long> retired = new LinkedHashMap<>();

    private volatile String revision;

    public DecisionCache(int maxEntries) {
        this(maxEntries, System::nanoTime);
    }

    /** {@code clock}: nanoseconds, as {@link System#nanoTime()}. */
    DecisionCache(int maxEntries, LongSupplier clock) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /**
     * The keys of {@code input}, the policy input exactly as it is sent to policy ({@link PolicyInput#of}).
     * {@code byShape} false (e.g. {@code portcullis.pg.decision-cache=exact}) gives an exact key only.
     */
    public static Key key(JsonObject input, boolean byShape) {
        JsonObject shared = new JsonObject(new LinkedHashMap<>(input.getMap()));
        shared.remove("request");
        JsonObject request = input.getJsonObject("request");
        return key(encodeShared(shared), request, byShape);
    }

    /**
     * The keys of the input {@code session.input(request)} would give, without building it: the session's shared part
     * is encoded once per session. The same keys as {@link #key(JsonObject, boolean)} of that input.
     */
    public static Key key(PolicyInput.Session session, JsonObject request, boolean byShape) {
        return key(session.encoded(), request, byShape);
    }

    /**
     * The shape digest of the input {@code session.input(request)} would give: for a caller that decides many requests
     * of one structure (a prepared statement's Binds, which differ in their parameters only), to key each with {@link
     * #withShape} without encoding the structure again.
     */
    public static String shapeOf(PolicyInput.Session session, JsonObject request) {
        return shape(session.encoded(), request == null ? "null" : Json.encode(structural(request, new JsonArray())));
    }

    /**
     * The keys of the input {@code session.input(request)} would give, its {@link #shapeOf} known: the same keys as
     * {@link #key(PolicyInput.Session, JsonObject, boolean)}, provided {@code request} has the structure the shape was
     * computed from (only its literal-bearing values differ) — the caller's memo must change with anything the
     * structure depends on.
     */
    public static Key withShape(String shape, JsonObject request, boolean byShape) {
        JsonArray literals = new JsonArray();
        if (request != null) {
            structural(request, literals);
        }
        return new Key(exact(shape, literals), byShape ? shape : null);
    }

    /** The JSON of an input's parts other than its request, without its {@code time}. */
    static String encodeShared(JsonObject shared) {
        if (shared.containsKey("time")) {
            shared = new JsonObject(new LinkedHashMap<>(shared.getMap()));
            shared.remove("time");
        }
        return Json.encode(shared);
    }

    private static Key key(String shared, JsonObject request, boolean byShape) {
        // One encoding of the structural input and one of the literal-bearing values it leaves out: the shape key
        // digests the first, the exact key the shape digest with the second — together they are the whole input
        // (each part JSON, so self-delimiting), so the exact key still tells every two inputs apart.
        JsonArray literals = new JsonArray();
        String shape = shape(shared, request == null ? "null" : Json.encode(structural(request, literals)));
        return new Key(exact(shape, literals), byShape ? shape : null);
    }

    private static String shape(String shared, String structural) {
        return digest("shape\n" + shared + "\n" + structural);
    }

    private static String exact(String shape, JsonArray literals) {
        return digest("exact\n" + shape + "\n" + Json.encode(literals));
    }

    /** {@code request} without its literal-bearing fields. */
    static JsonObject structural(JsonObject request) {
        return structural(request, new JsonArray());
    }

    /** {@code request} without its literal-bearing fields, which are added to {@code literals} in a fixed order. */
    private static JsonObject structural(JsonObject request, JsonArray literals) {
        JsonObject out = new JsonObject(new LinkedHashMap<>(request.getMap()));
        JsonObject removed = new JsonObject();
        for (String field : LITERAL_REQUEST_FIELDS_IN_ORDER) {
            if (out.containsKey(field)) {
                removed.put(field, out.remove(field));
            }
        }
        literals.add(removed);
        if (out.getValue("statements") instanceof JsonArray statements) {
            JsonArray kept = new JsonArray();
            JsonArray texts = new JsonArray();
            for (Object s : statements) {
                if (s instanceof JsonObject statement) {
                    JsonObject st = new JsonObject(new LinkedHashMap<>(statement.getMap()));
                    texts.add(st.remove(STATEMENT_TEXT));
                    kept.add(st);
                } else {
                    kept.add(s);
                    texts.add(null);
                }
            }
            out.put("statements", kept);
            literals.add(texts);
        }
        return out;
    }

    /** The decision for {@code key}: by the exact request first, then by shape; null when there is none. */
    public Decision get(Key key) {
        Decision d = lookup("e:" + key.exact());
        if (d == null && key.shape() != null) {
            d = lookup("s:" + key.shape());
        }
        return d;
    }

    private Decision lookup(String k) {
        Entry e = entries.get(k);
        if (e == null) {
            return null;
        }
        if (!e.revision.equals(revision) || clock.getAsLong() - e.expiresAt > 0) {
            entries.remove(k, e);
            return null;
        }
        return e.decision;
    }

    /**
     * Keeps {@code d} for {@code ttl} under the exact key, and under the shape key when policy said
     * {@code shape}. Any decision with a revision other than the current one first drops every entry, whether or
     * not it is kept itself (a review says the policy changed as well as an allow does).
     */
    public void put(Key key, Decision d, Duration ttl) {
        if (d.isFailClosed() || d.revision() == null) {
            return;
        }
        if (!observe(d.revision()) || ttl.isZero() || ttl.isNegative() || d.action() == Decision.Action.REVIEW) {
            return;
        }
        if (entries.size() >= maxEntries) {
            long now = clock.getAsLong();
            entries.values().removeIf(e -> now - e.expiresAt > 0);
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        Entry e = new Entry(d, d.revision(), clock.getAsLong() + ttl.toNanos());
        entries.put("e:" + key.exact(), e);
        if (key.shape() != null && d.cacheScope() == Decision.CacheScope.SHAPE) {
            entries.put("s:" + key.shape(), e);
        }
    }

    /**
     * Takes {@code latest} as the current policy revision: when it differs, every entry is dropped and the
     * revision it replaces is retired. False when {@code latest} itself was retired lately (an answer that was
     * in flight when the policy changed): it changes nothing and must not be kept.
     */
    public boolean observe(String latest) {
        if (latest.equals(revision)) {
            return true;
        }
        synchronized (this) {
            if (latest.equals(revision)) {
                return true;
            }
            long now = clock.getAsLong();
            Long until = retired.get(latest);
            if (until != null && now - until < 0) {
                return false;
            }
            retired.values().removeIf(u -> now - u >= 0);
            if (retired.size() >= MAX_RETIRED) {
                retired.remove(retired.keySet().iterator().next());
            }
            if (revision != null) {
                retired.put(revision, now + RETIRED_FOR.toNanos());
            }
            retired.remove(latest);
            revision = latest;
            entries.clear();
            return true;
        }
    }

    /** Drops every entry (the policy changed). */
    public void clear() {
        entries.clear();
    }

    /** The policy revision the entries belong to; null before the first decision. */
    public String revision() {
        return revision;
    }

    /** The number of entries (exact and shape keys count one each). */
    public int size() {
        return entries.size();
    }

    private static String digest(String s) {
        try {
            return Base64.getEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
