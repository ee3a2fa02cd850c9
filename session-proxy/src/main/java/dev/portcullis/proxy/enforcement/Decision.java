package dev.portcullis.proxy.enforcement;

import java.util.List;

/** A policy result for one request (docs/architecture.md "Policy"). */
public record Decision(
        Action action,
        List<String> reasons,
        List<String> rules,
        List<MaskRule> mask,
        boolean record,
        String decisionId) {

    public enum Action {
        ALLOW,
        DENY,
        REVIEW;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Decision {
        reasons = reasons == null ? List.of() : List.copyOf(reasons);
        rules = rules == null ? List.of() : List.copyOf(rules);
        mask = mask == null ? List.of() : List.copyOf(mask);
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

    /** Combines the decisions of the statements of one request: deny beats review beats allow, masks add up. */
    public static Decision combine(List<Decision> decisions) {
        if (decisions.size() == 1) {
            return decisions.get(0);
        }
        Action action = Action.ALLOW;
        List<String> reasons = new java.util.ArrayList<>();
        List<String> rules = new java.util.ArrayList<>();
        List<MaskRule> masks = new java.util.ArrayList<>();
        boolean record = false;
        for (Decision d : decisions) {
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
        return new Decision(action, finalAction == Action.ALLOW ? reasons : shown, rules, masks, record, null);
    }
}
