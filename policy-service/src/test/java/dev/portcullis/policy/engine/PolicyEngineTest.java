package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.Decision;
import dev.portcullis.policy.model.MaskDirective;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How rules combine: deny > review > allow, defaults per tag, mask accumulation, fail closed. */
class PolicyEngineTest {

    private static final PolicyEngine ENGINE = new PolicyEngine(Action.DENY);

    private static CompiledPolicy policy(String id, String yaml) {
        return PolicyCompiler.compile(id, yaml, 1);
    }

    private static String rule(String id, String condition, String effect) {
        return "  - { id: " + id + ", condition: \"" + condition + "\", effect: " + effect + ", message: m-" + id
                + " }\n";
    }

    private static Decision decide(PolicySet set, String env) {
        return ENGINE.evaluate(set, TestInputs.normalize(TestInputs.sql(env, "SELECT 1", "SELECT")), false)
                .decision();
    }

    @Test
    void denyOverridesReviewOverridesAllow() {
        PolicySet all = PolicySet.of(List.of(policy(
                "p",
                "rules:\n" + rule("a", "true", "allow") + rule("r", "true", "review") + rule("d", "true", "deny"))));
        Decision d = decide(all, "prod");
        assertEquals(Action.DENY, d.action());
        assertEquals(List.of("d"), d.rules());
        assertEquals(List.of("rule d: m-d"), d.reasons());

        PolicySet noDeny = PolicySet.of(List.of(policy(
                "p",
                "rules:\n" + rule("a", "true", "allow") + rule("r", "true", "review") + rule("d", "false", "deny"))));
        assertEquals(Action.REVIEW, decide(noDeny, "prod").action());
        assertEquals(List.of("r"), decide(noDeny, "prod").rules());

        PolicySet allowOnly = PolicySet.of(
                List.of(policy("p", "rules:\n" + rule("a", "true", "allow") + rule("r", "false", "review"))));
        assertEquals(Action.ALLOW, decide(allowOnly, "prod").action());
        assertEquals(List.of("a"), decide(allowOnly, "prod").rules());
    }

    @Test
    void numbersOfDifferentTypesCompareByValue() {
        // cel-java's planner runtime (0.14) compares int, uint and double by value, as the CEL specification does;
        // before, such a comparison was a compile error. The SELECT input has one statement.
        PolicySet set = PolicySet.of(List.of(policy(
                "p",
                "rules:\n" + rule("below", "size(statements) < 1.5", "review")
                        + rule("above", "size(statements) > 1.5", "deny"))));
        Decision d = decide(set, "prod");
        assertEquals(Action.REVIEW, d.action());
        assertEquals(List.of("below"), d.rules());
    }

    @Test
    void rulesCombineAcrossDocuments() {
        PolicySet set = PolicySet.of(List.of(
                policy("one", "rules:\n" + rule("r1", "true", "review")),
                policy("two", "rules:\n" + rule("r2", "true", "review"))));
        Decision d = decide(set, "prod");
        assertEquals(Action.REVIEW, d.action());
        assertEquals(List.of("r1", "r2"), d.rules());
    }

    @Test
    void anAllowRuleOverridesARestrictiveDefault() {
        PolicySet set = PolicySet.of(
                List.of(policy("p", """
                defaults: [ { tags: {}, action: deny } ]
                rules:
                """ + rule("reads", "statement_types.all(t, t == 'SELECT')", "allow"))));
        assertEquals(Action.ALLOW, decide(set, "prod").action());
        Decision write = ENGINE.evaluate(
                        set, TestInputs.normalize(TestInputs.sql("prod", "DELETE x", "DELETE:x")), false)
                .decision();
        assertEquals(Action.DENY, write.action());
        assertEquals(List.of(), write.rules());
    }

    @Test
    void theMostSpecificDefaultWinsThenTheMostRestrictive() {
        PolicySet set = PolicySet.of(List.of(policy("p", """
                defaults:
                  - { tags: {}, action: review }
                  - { tags: { env: dev }, action: allow }
                  - { tags: { env: prod }, action: allow }
                  - { tags: { env: prod }, action: deny }
                rules: []
                """)));
        assertEquals(Action.ALLOW, decide(set, "dev").action(), "env=dev is more specific than {}");
        assertEquals(Action.DENY, decide(set, "prod").action(), "two equally specific: the stricter wins");
        assertEquals(Action.REVIEW, decide(set, "staging").action(), "only {} matches");
    }

    @Test
    void withoutAMatchingDefaultTheFallbackApplies() {
        PolicySet set = PolicySet.of(List.of(policy("p", "rules:\n" + rule("x", "false", "deny"))));
        assertEquals(Action.DENY, decide(set, "prod").action());
        assertEquals(
                Action.REVIEW,
                new PolicyEngine(Action.REVIEW)
                        .evaluate(set, TestInputs.normalize(TestInputs.sql("prod", "SELECT 1", "SELECT")), false)
                        .decision()
                        .action());
    }

    @Test
    void anEmptyPolicySetDeniesWhateverTheFallback() {
        Decision d = new PolicyEngine(Action.ALLOW)
                .evaluate(PolicySet.empty(), TestInputs.normalize(TestInputs.sql("dev", "SELECT 1", "SELECT")), false)
                .decision();
        assertEquals(Action.DENY, d.action());
        assertTrue(d.reasons().get(0).contains("no policy"));
    }

    @Test
    void masksAccumulateAcrossRulesWithoutDuplicates() {
        PolicySet set = PolicySet.of(List.of(policy("p", """
                defaults: [ { tags: {}, action: allow } ]
                rules:
                  - { id: m1, condition: "true", effect: mask, message: x, mask: [ { column: a, strategy: redact }, { detector: jwt, strategy: redact } ] }
                  - { id: m2, condition: "true", effect: mask, message: x, mask: [ { column: a, strategy: redact }, { column: b, strategy: hash } ] }
                  - { id: m3, condition: "false", effect: mask, message: x, mask: [ { column: c, strategy: redact } ] }
                """)));
        Decision d = decide(set, "dev");
        assertEquals(Action.ALLOW, d.action());
        assertEquals(
                List.of(
                        new MaskDirective("a", null, "redact"),
                        new MaskDirective(null, "jwt", "redact"),
                        new MaskDirective("b", null, "hash")),
                d.mask());
    }

    @Test
    void aFailingConditionCountsAsMatchedForRestrictiveEffectsOnly() {
        // input.nope does not exist: CEL raises "no such key" at run time
        PolicySet set = PolicySet.of(List.of(policy("p", """
                defaults: [ { tags: {}, action: review } ]
                rules:
                  - { id: broken-allow, condition: "input.nope == 'x'", effect: allow, message: x }
                  - { id: broken-mask, condition: "input.nope == 'x'", effect: mask, message: x, mask: [ { column: z, strategy: redact } ] }
                """)));
        Decision d = decide(set, "dev");
        assertEquals(Action.REVIEW, d.action(), "a broken allow rule does not allow");
        assertEquals(List.of(new MaskDirective("z", null, "redact")), d.mask(), "a broken mask rule masks");

        PolicySet deny = PolicySet.of(List.of(policy(
                "p", "rules:\n" + rule("broken-deny", "input.nope == 'x'", "deny") + rule("ok", "true", "allow"))));
        Decision dd = decide(deny, "dev");
        assertEquals(Action.DENY, dd.action());
        assertEquals(List.of("broken-deny"), dd.rules());
        assertTrue(
                dd.reasons().get(0).contains("could not be evaluated"),
                dd.reasons().toString());
    }

    @Test
    void protocolAndTagFiltersKeepARuleAway() {
        PolicySet set = PolicySet.of(List.of(policy("p", """
                defaults: [ { tags: {}, action: allow } ]
                rules:
                  - { id: ssh-only, protocols: [ssh], condition: "true", effect: deny, message: x }
                  - { id: prod-only, tags: { env: prod }, condition: "true", effect: review, message: x }
                """)));
        assertEquals(Action.ALLOW, decide(set, "dev").action());
        assertEquals(Action.REVIEW, decide(set, "prod").action());
    }

    @Test
    void explainTracesEveryRule() {
        PolicySet set = PolicySet.of(List.of(policy(
                "p",
                "rules:\n" + rule("d", "true", "deny") + rule("r", "true", "review") + rule("a", "false", "allow"))));
        Evaluation e = ENGINE.evaluate(set, TestInputs.normalize(TestInputs.sql("prod", "SELECT 1", "SELECT")), true);
        assertEquals(
                List.of("d:matched", "r:matched", "a:not_matched"),
                e.trace().stream().map(t -> t.rule() + ":" + t.outcome()).toList());
        assertEquals(Action.DENY, e.decision().action());
        assertEquals(List.of("d"), e.decision().rules(), "explain does not change the decision");
    }

    @Test
    void aNewerChangeIsNotUndoneByAnOlderOne() {
        CompiledPolicy v1 = policy("p", "rules:\n" + rule("x", "true", "deny"));
        CompiledPolicy v2 = policy("p", "rules:\n" + rule("x", "false", "deny")).withVersion(2);
        PolicySet set = PolicySet.empty().with(v2, 10).with(v1, 9);
        assertEquals(2, set.policies().get("p").version());
        assertTrue(set.without("p", 8).policies().containsKey("p"));
        assertTrue(set.without("p", 11).isEmpty());
        assertTrue(set.without("p", 11).with(v1, 10).isEmpty(), "a put older than the delete stays deleted");
    }
}
