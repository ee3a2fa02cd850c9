package dev.portcullis.policy.engine;

import dev.portcullis.policy.model.ConnectionDefault;
import dev.portcullis.policy.model.DecisionCacheHint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The active policies: an immutable snapshot that requests read through one volatile reference,
 * so a decision sees either the whole old set or the whole new one. Changes carry the store's
 * change sequence; a change older than the one already applied to that id is ignored, so
 * concurrent writers cannot reorder the in-memory set.
 */
public final class PolicySet {

    private static final PolicySet EMPTY = new PolicySet(new TreeMap<>(), new TreeMap<>());

    private final Map<String, CompiledPolicy> policies;
    private final Map<String, Long> lastChange;
    private final CompiledRule[] denyRules;
    private final CompiledRule[] reviewRules;
    private final CompiledRule[] allowRules;
    private final CompiledRule[] maskRules;
    private final List<ConnectionDefault> defaults;
    private final String revision;
    /** Cache scope per protocol and connection tags, computed once per set (the set never changes). */
    private final Map<ScopeKey, DecisionCacheHint> scopes = new ConcurrentHashMap<>();

    /**
     * A protocol and a connection's tags. Looked up with the request's own tag map (never changed after the input is
     * normalised), stored with a copy: a string key built per decision was a measurable part of its allocation.
     */
    private record ScopeKey(String protocol, Map<String, String> tags) {}

    private static final int MAX_SCOPES = 4096;

    private PolicySet(TreeMap<String, CompiledPolicy> policies, TreeMap<String, Long> lastChange) {
        this.policies = java.util.Collections.unmodifiableMap(policies);
        this.lastChange = java.util.Collections.unmodifiableMap(lastChange);
        List<CompiledRule> deny = new ArrayList<>();
        List<CompiledRule> review = new ArrayList<>();
        List<CompiledRule> allow = new ArrayList<>();
        List<CompiledRule> mask = new ArrayList<>();
        List<ConnectionDefault> defs = new ArrayList<>();
        StringBuilder versions = new StringBuilder();
        for (CompiledPolicy p : policies.values()) {
            defs.addAll(p.document().defaults());
            versions.append(p.id()).append('@').append(p.version()).append('\n');
            for (CompiledRule r : p.rules()) {
                switch (r.effect()) {
                    case DENY -> deny.add(r);
                    case REVIEW -> review.add(r);
                    case ALLOW -> allow.add(r);
                    case MASK -> mask.add(r);
                }
            }
        }
        this.denyRules = deny.toArray(CompiledRule[]::new);
        this.reviewRules = review.toArray(CompiledRule[]::new);
        this.allowRules = allow.toArray(CompiledRule[]::new);
        this.maskRules = mask.toArray(CompiledRule[]::new);
        this.defaults = List.copyOf(defs);
        this.revision =
                policies.isEmpty() ? "empty" : sha256(versions.toString()).substring(0, 16);
    }

    public static PolicySet empty() {
        return EMPTY;
    }

    public static PolicySet of(Collection<CompiledPolicy> policies) {
        TreeMap<String, CompiledPolicy> map = new TreeMap<>();
        for (CompiledPolicy p : policies) {
            map.put(p.id(), p);
        }
        return new PolicySet(map, new TreeMap<>());
    }

    /** This set with {@code policy} put in, unless a newer change to its id was applied already. */
    public PolicySet with(CompiledPolicy policy, long changeSeq) {
        if (lastChange.getOrDefault(policy.id(), Long.MIN_VALUE) >= changeSeq) {
            return this;
        }
        TreeMap<String, CompiledPolicy> map = new TreeMap<>(policies);
        map.put(policy.id(), policy);
        TreeMap<String, Long> changes = new TreeMap<>(lastChange);
        changes.put(policy.id(), changeSeq);
        return new PolicySet(map, changes);
    }

    /** This set without {@code id}, unless a newer change to it was applied already. */
    public PolicySet without(String id, long changeSeq) {
        if (lastChange.getOrDefault(id, Long.MIN_VALUE) >= changeSeq) {
            return this;
        }
        TreeMap<String, CompiledPolicy> map = new TreeMap<>(policies);
        map.remove(id);
        TreeMap<String, Long> changes = new TreeMap<>(lastChange);
        changes.put(id, changeSeq);
        return new PolicySet(map, changes);
    }

    public Map<String, CompiledPolicy> policies() {
        return policies;
    }

    public boolean isEmpty() {
        return policies.isEmpty();
    }

    /** A short digest of every id@version in the set: the "policy version" of a decision. */
    public String revision() {
        return revision;
    }

    /**
     * {@code shape} when no rule that can apply to {@code protocol} and {@code tags} reads a literal-bearing field
     * ({@link CompiledRule#literalReads()}), else {@code exact}. Defaults and the fallback depend on tags only.
     */
    public DecisionCacheHint cacheScope(String protocol, Map<String, String> tags) {
        DecisionCacheHint known = scopes.get(new ScopeKey(protocol, tags));
        if (known != null) {
            return known;
        }
        DecisionCacheHint scope = DecisionCacheHint.SHAPE;
        for (CompiledPolicy p : policies.values()) {
            for (CompiledRule r : p.rules()) {
                if (!r.literalReads().isEmpty() && r.appliesTo(protocol, tags)) {
                    scope = DecisionCacheHint.EXACT;
                }
            }
        }
        if (scopes.size() < MAX_SCOPES) {
            scopes.put(new ScopeKey(protocol, Map.copyOf(tags)), scope);
        }
        return scope;
    }

    CompiledRule[] denyRules() {
        return denyRules;
    }

    CompiledRule[] reviewRules() {
        return reviewRules;
    }

    CompiledRule[] allowRules() {
        return allowRules;
    }

    CompiledRule[] maskRules() {
        return maskRules;
    }

    List<ConnectionDefault> defaults() {
        return defaults;
    }

    /** Rule ids of other policies that {@code candidate} would repeat (rule ids are unique across the set). */
    public List<String> ruleIdClashes(CompiledPolicy candidate) {
        List<String> clashes = new ArrayList<>();
        for (CompiledRule r : candidate.rules()) {
            for (CompiledPolicy p : policies.values()) {
                if (p.id().equals(candidate.id())) {
                    continue;
                }
                for (CompiledRule other : p.rules()) {
                    if (other.id().equals(r.id())) {
                        clashes.add(r.id() + " (already in policy " + p.id() + ")");
                    }
                }
            }
        }
        return clashes;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
