package dev.portcullis.proxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.portcullis.contracts.policy.PolicyFixtures;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy reads each golden answer of policy-service (contracts' test-jar) into the decision it means. */
class PolicyResultFixturesTest {

    static Decision parse(String name) {
        return PolicyClient.parse(new JsonObject(PolicyFixtures.json(name)));
    }

    @Test
    void allow() {
        Decision d = parse("result-allow");
        assertEquals(
                new Decision(
                        Decision.Action.ALLOW,
                        List.of(),
                        List.of(),
                        List.of(),
                        true,
                        "0d9c8b7a-6f5e-4d3c-b2a1-0f9e8d7c6b5a",
                        "3f9a1c07d2b4e865",
                        Decision.CacheScope.SHAPE),
                d);
        assertFalse(d.isFailClosed());
    }

    @Test
    void deny() {
        Decision d = parse("result-deny");
        assertEquals(
                new Decision(
                        Decision.Action.DENY,
                        List.of("rule pg-drop-forbidden: DROP and TRUNCATE are never allowed on prod"),
                        List.of("pg-drop-forbidden"),
                        List.of(),
                        true,
                        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                        "3f9a1c07d2b4e865",
                        Decision.CacheScope.SHAPE),
                d);
        assertFalse(d.isFailClosed());
        assertEquals(
                "denied by policy: rule pg-drop-forbidden: DROP and TRUNCATE are never allowed on prod", d.message());
    }

    @Test
    void reviewWithMask() {
        Decision d = parse("result-review-with-mask");
        assertEquals(
                new Decision(
                        Decision.Action.REVIEW,
                        List.of("rule pg-unbounded-write-review: DELETE/UPDATE without WHERE on prod needs review"),
                        List.of("pg-unbounded-write-review"),
                        List.of(
                                new MaskRule("*email*", null, "redact"),
                                new MaskRule("*card*", null, "last4"),
                                new MaskRule(null, "credit_card", "last4"),
                                new MaskRule(null, "jwt", "redact")),
                        true,
                        "6c5b4a39-2817-4f6e-9d5c-4b3a29180f7e",
                        "b71e04a9c3d25f68",
                        Decision.CacheScope.EXACT),
                d);
    }

    /** Without provenance or a cache field (an OPA not asked for them, an older policy-service): exact, no revision. */
    @Test
    void aResultThatDoesNotSayIsExactAndUnattributed() {
        JsonObject plain = new JsonObject(PolicyFixtures.json("result-allow"));
        plain.remove("provenance");
        plain.getJsonObject("result").remove("cache");
        Decision d = PolicyClient.parse(plain);
        assertEquals(Decision.CacheScope.EXACT, d.cacheScope());
        assertNull(d.revision());
        plain.getJsonObject("result").put("cache", new JsonObject().put("scope", "SHAPE!"));
        assertEquals(Decision.CacheScope.EXACT, PolicyClient.parse(plain).cacheScope());
        plain.getJsonObject("result").put("cache", "shape");
        assertEquals(Decision.CacheScope.EXACT, PolicyClient.parse(plain).cacheScope());
    }

    /** A real OPA answers {@code provenance.bundles.<name>.revision}: every bundle's revision, by name. */
    @Test
    void opaBundleRevisionsAreTheRevision() {
        JsonObject answer = new JsonObject(PolicyFixtures.json("result-allow"));
        answer.put(
                "provenance",
                new JsonObject()
                        .put("version", "1.0.0")
                        .put(
                                "bundles",
                                new JsonObject()
                                        .put("b", new JsonObject().put("revision", "2"))
                                        .put("a", new JsonObject().put("revision", "1"))));
        assertEquals("a=1;b=2;", PolicyClient.parse(answer).revision());
        answer.put("provenance", new JsonObject().put("version", "1.0.0"));
        assertNull(PolicyClient.parse(answer).revision());
    }

    @Test
    void everyResultFixtureIsReadWithoutFailingClosed() {
        for (String name : PolicyFixtures.RESULTS) {
            assertFalse(parse(name).isFailClosed(), name);
        }
    }
}
