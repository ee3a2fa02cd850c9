package dev.portcullis.proxy.enforcement;

import java.util.List;

/**
 * A policy result for one request (docs/architecture.md "Policy"): with the {@code revision} of the policy set that
 * made it ({@code provenance.revision}; null when policy did not say) and its {@code cacheScope}
 * ({@code result.cache.scope}; {@link CacheScope#EXACT} when policy did not say, so a decision is never reused
 * for another request of the same shape unless policy said it may be: ADR 0021).
 */
public record Decision(
        Action action,
        List<String> reasons,
        List<String> rules,
        List<MaskRule> mask,
        boolean record,
        String decisionId,
        String revision,
        CacheScope cacheScope) {

    public enum Action {
        ALLOW,
        DENY,
        REVIEW;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Which other requests a decision may answer. */
    public enum CacheScope {
        /** Every request whose structural key is the same: policy reads no literal-bearing field. */
        SHAPE,
        /** Only the same request: the same text, parameters, session and identity. */
        EXACT
    }

    public Decision {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        rules = rules == null ? List.of() : List.copyOf(rules);
        mask = mask == null ? List.of() : List.copyOf(mask);
        cacheScope = cacheScope == null ? CacheScope.EXACT : cacheScope;
    }

    /** A decision that does not say where it came from: no revision, reusable for the exact request only. */
    public Decision(
            Action action,
            List<String> reasons,
            List<String> rules,
            List<MaskRule> mask,
            boolean record,
            String decisionId) {
        this(action, reasons, rules, mask, record, decisionId, null, CacheScope.EXACT);
    }

    /** Fail-closed decision when policy cannot be asked or answers nonsense. */
    public static Decision failClosed(String why) {
        return new Decision(Action.DENY, List.of(why), List.of(), List.of(), true, FAIL_CLOSED);
    }

    private static final String FAIL_CLOSED = "fail-closed";

    /** Made up by the proxy because policy could not decide; never cached. */
    public boolean isFailClosed() {
        return FAIL_CLOSED.equals(decisionId);
    }

    /** The message a denied client sees. */
    public String message() {
        return reasons.isEmpty() ? "denied by policy" : "denied by policy: " + String.join("; ", reasons);
    }

    /**
     * Combines the decisions of the statements of one request: deny beats review beats allow, masks add up; the
     * revision is theirs when they share one, and the scope is shape only when every one of them is.
     */
    public static Decision combine(List<Decision> decisions) {
        if (decisions.size() == 1) {
            return decisions.get(0);
        }
        Action action = Action.ALLOW;
        List<String> reasons = new java.util.ArrayList<>();
        List<String> rules = new java.util.ArrayList<>();
        List<MaskRule> masks = new java.util.ArrayList<>();
        boolean record = false;
        String revision = decisions.isEmpty() ? null : decisions.get(0).revision;
        CacheScope scope = decisions.isEmpty() ? CacheScope.EXACT : CacheScope.SHAPE;
        for (Decision d : decisions) {
            if (revision != null && !revision.equals(d.revision)) {
                revision = null;
            }
            if (d.cacheScope != CacheScope.SHAPE) {
                scope = CacheScope.EXACT;
            }
            if (d.action.ordinal() > action.ordinal()) {
                action = d.action;
            }
            reasons.addAll(d.reasons);
            rules.addAll(d.rules);
            for (MaskRule m : d.mask) {
                if (!masks.contains(m)) {
                    masks.add(m);
                }
            }
            record |= d.record;
        }
        Action finalAction = action;
        List<String> shown = new java.util.ArrayList<>();
        for (Decision d : decisions) {
            if (d.action == finalAction) {
                shown.addAll(d.reasons);
            }
        }
        return new Decision(
                action, finalAction == Action.ALLOW ? reasons : shown, rules, masks, record, null, revision, scope);
    }
}
