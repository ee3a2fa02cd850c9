package dev.portcullis.policy.engine;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import dev.portcullis.policy.engine.Evaluation.TraceEntry;
import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.ConnectionDefault;
import dev.portcullis.policy.model.Decision;
import dev.portcullis.policy.model.MaskDirective;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a {@link PolicySet} against an input. How rules combine:
 * <ol>
 * <li><b>deny overrides review overrides allow</b>: if any deny rule matches the action is deny,
 * else if any review rule matches it is review, else if any allow rule matches it is allow;
 * reasons and rules list every matching rule of the winning effect.</li>
 * <li>If none matched, the <b>default for the connection's tags</b> applies: among the
 * {@code defaults} entries of all policies whose tags the connection carries, the most specific
 * (most tags) wins, and among equally specific ones the most restrictive. With no matching
 * default (or no policy at all) the engine's fallback applies, which is deny unless configured.</li>
 * <li><b>Mask rules accumulate</b>: the directives of every matching mask rule are returned
 * (deduplicated, in policy and rule order), whatever the action.</li>
 * <li><b>Fail closed</b>: a rule whose condition fails at run time counts as matched when its
 * effect restricts (deny, review, mask) and as not matched when it permits (allow); the reason
 * names the rule.</li>
 * <li><b>Cache scope</b>: {@code shape} only when no rule that can apply to the request's protocol and
 * connection tags reads a literal-bearing field ({@link PolicySet#cacheScope}), else {@code exact}.</li>
 * </ol>
 */
public final class PolicyEngine {

    private final Action fallback;

    public PolicyEngine(Action fallback) {
        this.fallback = fallback;
    }

    public Evaluation evaluate(PolicySet set, PolicyInput input, boolean explain) {
        // one resolver for every rule: Program.eval(Map) copies the map into an ImmutableMap for each rule (a quarter
        // of the evaluation's time); a null value is absent, as that copy leaves it out
        CelVariableResolver vars = name -> Optional.ofNullable(input.variable(name));
        String protocol = input.protocol();
        Map<String, String> tags = input.tags();
        List<TraceEntry> trace = explain ? new ArrayList<>() : null;

        List<String> reasons = new ArrayList<>(2);
        List<String> ruleIds = new ArrayList<>(2);
        Action action = null;

        if (collect(set.denyRules(), vars, protocol, tags, reasons, ruleIds, trace, true)) {
            action = Action.DENY;
        }
        if (action == null || explain) {
            List<String> r = action == null ? reasons : new ArrayList<>();
            List<String> ids = action == null ? ruleIds : new ArrayList<>();
            if (collect(set.reviewRules(), vars, protocol, tags, r, ids, trace, true) && action == null) {
                action = Action.REVIEW;
            }
        }
        if (action == null || explain) {
            List<String> r = action == null ? reasons : new ArrayList<>();
            List<String> ids = action == null ? ruleIds : new ArrayList<>();
            if (collect(set.allowRules(), vars, protocol, tags, r, ids, trace, false) && action == null) {
                action = Action.ALLOW;
            }
        }
        if (action == null) {
            action = defaultAction(set, tags, reasons);
        }

        Set<MaskDirective> mask = new LinkedHashSet<>();
        for (CompiledRule rule : set.maskRules()) {
            if (!rule.appliesTo(protocol, tags)) {
                trace(trace, rule, "skipped", null);
                continue;
            }
            String error = null;
            boolean matched;
            try {
                matched = Boolean.TRUE.equals(rule.program().eval(vars));
            } catch (CelEvaluationException | RuntimeException e) {
                error = e.getMessage();
                matched = true;
            }
            trace(trace, rule, matched ? "matched" : "not_matched", error);
            if (matched) {
                mask.addAll(rule.mask());
            }
        }
        Decision decision = new Decision(
                action,
                List.copyOf(reasons),
                List.copyOf(ruleIds),
                List.copyOf(mask),
                true,
                set.cacheScope(protocol, tags));
        return new Evaluation(decision, set.revision(), trace == null ? List.of() : trace);
    }

    private static boolean collect(
            CompiledRule[] rules,
            CelVariableResolver vars,
            String protocol,
            Map<String, String> tags,
            List<String> reasons,
            List<String> ids,
            List<TraceEntry> trace,
            boolean errorMatches) {
        boolean any = false;
        for (CompiledRule rule : rules) {
            if (!rule.appliesTo(protocol, tags)) {
                trace(trace, rule, "skipped", null);
                continue;
            }
            boolean matched;
            String error = null;
            try {
                matched = Boolean.TRUE.equals(rule.program().eval(vars));
            } catch (CelEvaluationException | RuntimeException e) {
                error = e.getMessage();
                matched = errorMatches;
            }
            trace(trace, rule, error != null ? "error" : matched ? "matched" : "not_matched", error);
            if (matched) {
                any = true;
                ids.add(rule.id());
                reasons.add(
                        error == null
                                ? "rule " + rule.id() + ": " + rule.message()
                                : "rule " + rule.id() + " could not be evaluated (fail closed): " + rule.message());
            }
        }
        return any;
    }

    private Action defaultAction(PolicySet set, Map<String, String> tags, List<String> reasons) {
        ConnectionDefault best = null;
        for (ConnectionDefault d : set.defaults()) {
            if (!d.matches(tags)) {
                continue;
            }
            if (best == null
                    || d.tags().size() > best.tags().size()
                    || (d.tags().size() == best.tags().size() && d.action().isStricterThan(best.action()))) {
                best = d;
            }
        }
        if (best == null) {
            reasons.add(
                    set.isEmpty()
                            ? "no policy is loaded (fail closed)"
                            : "no rule or default matched; fallback " + fallback.json());
            return set.isEmpty() ? Action.DENY : fallback;
        }
        if (best.action() != Action.ALLOW) {
            reasons.add("default for connections tagged " + best.tags() + ": "
                    + best.action().json());
        }
        return best.action();
    }

    private static void trace(List<TraceEntry> trace, CompiledRule rule, String outcome, String error) {
        if (trace != null) {
            trace.add(new TraceEntry(rule.policyId(), rule.id(), rule.effect().json(), outcome, error));
        }
    }
}
