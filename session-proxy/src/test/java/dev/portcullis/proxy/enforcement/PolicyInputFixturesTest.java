package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.policy.PolicyFixtures;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.http.KubernetesRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The policy input the proxy builds equals the golden input of contracts' test-jar, which policy-service's tests
 * decide on. The PostgreSQL and SSH requests are built in their packages ({@code PgPolicyInputFixtureTest},
 * {@code SshPolicyInputFixtureTest}); the Kubernetes one here, from the gateway's public parser.
 */
public class PolicyInputFixturesTest {

    @Test
    void kubernetesListMatchesTheFixture() throws Exception {
        JsonObject request = KubernetesRequest.parse("GET", "/api/v1/namespaces/payments/pods", "limit=50")
                .policyRequest(false);
        JsonObject input = PolicyInput.of(
                identity("ops-bot", "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "conn:k8s-prod:read", "read"),
                connection("k8s-prod", ConnectionType.KUBERNETES),
                "e9f8a7b6-c5d4-4e3f-a2b1-c0d9e8f7a6b5",
                "10.0.3.30:60412",
                Instant.parse("2026-11-22T03:30:00.118Z"),
                request);
        assertMatchesFixture("input-kubernetes", input);
    }

    /** An agent's identity as a validated token gives it: the scope of its one grant, plus {@code profile}. */
    public static AgentIdentity identity(String agent, String subject, String scope, String access) {
        Instant now = Instant.now();
        return new AgentIdentity(
                agent, subject, List.of(), List.of("profile", scope), access, now.plusSeconds(300), now);
    }

    /** A connection tagged {@code env: prod}; only name, type and tags reach the policy input. */
    public static Connection connection(String name, ConnectionType type) {
        return new Connection(
                name,
                type,
                "target.internal:1",
                null,
                List.of(AccessLevel.READ, AccessLevel.WRITE),
                Map.of(),
                Map.of("env", "prod"),
                null,
                null,
                null);
    }

    /**
     * {@code input} equals fixture {@code name} as JSON (any field order), apart from {@code time}, which is the
     * moment of the request: it must be a timestamp of the last minute, and is replaced by the fixture's.
     */
    public static void assertMatchesFixture(String name, JsonObject input) {
        JsonObject expected = new JsonObject(PolicyFixtures.json(name));
        Instant time = Instant.parse(input.getString("time"));
        assertTrue(
                Duration.between(time, Instant.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
                () -> "time is not now: " + time);
        JsonObject actual = input.copy().put("time", expected.getString("time"));
        assertEquals(expected, actual, () -> "fixture " + name + ", built: " + actual.encodePrettily());
    }
}
