package dev.portcullis.policy.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import dev.portcullis.policy.decisionlog.DecisionLogPublisher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka unreachable (a closed port) and a tiny buffer: decisions are still answered, the lost
 * logs are counted in the metric, and readiness reports the loss.
 */
@QuarkusTest
@TestProfile(DecisionLogLossTest.KafkaUnreachable.class)
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class DecisionLogLossTest {

    public static class KafkaUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            int closed;
            try (ServerSocket s = new ServerSocket(0)) {
                closed = s.getLocalPort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return Map.of(
                    "mp.messaging.outgoing." + Topics.DECISION_LOGS + ".bootstrap.servers",
                    "127.0.0.1:" + closed,
                    "portcullis.policy.decision-log.max-pending",
                    "4",
                    "mp.messaging.outgoing." + Topics.DECISION_LOGS + ".max.block.ms",
                    "60000",
                    "mp.messaging.outgoing." + Topics.DECISION_LOGS + ".health-enabled",
                    "false");
        }
    }

    @Inject
    DecisionLogPublisher publisher;

    @Test
    void decisionsGoOnWhileLogsAreDroppedCountedAndReported() {
        given().get("/q/health/ready").then().statusCode(200);
        String token = Tokens.sessionProxy();
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            given().auth()
                    .oauth2(token)
                    .body("{\"input\": {\"request\": {\"protocol\": \"ssh\", \"command\": \"rm -rf /\"}}}")
                    .post("/v1/data/portcullis/decision/action")
                    .then()
                    .statusCode(200)
                    .body("result", is("deny"));
        }
        System.out.printf("50 decisions with Kafka unreachable took %d ms%n", (System.nanoTime() - start) / 1_000_000);
        assertTrue(
                publisher.droppedCount() >= 46,
                "at most 4 pending, so at least 46 of 50 dropped: " + publisher.droppedCount());
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern(
                        "(?s).*portcullis_decision_logs_dropped_total(\\{[^}]*\\})? [1-9][0-9]*\\.0.*"));
        given().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("checks.find { it.name == '" + Topics.DECISION_LOGS + "' }.status", is("DOWN"));
    }
}
