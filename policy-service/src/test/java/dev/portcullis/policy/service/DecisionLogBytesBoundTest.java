package dev.portcullis.policy.service;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kafka unreachable (a closed port), room for many logs by count but 2,000 bytes of them: decisions are answered
 * while their serialised logs fit in the byte bound; beyond it they are refused (503) rather than made without a
 * log, and counted. The byte bound is what keeps every pending log within the producer's buffer (a full buffer would
 * drop logs of decisions already answered).
 */
@QuarkusTest
@TestProfile(DecisionLogBytesBoundTest.KafkaUnreachable.class)
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class DecisionLogBytesBoundTest {

    public static class KafkaUnreachable implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return UnreachableKafka.overrides(Map.of(
                    "portcullis.policy.decision-log.max-pending",
                    "1000",
                    "portcullis.policy.decision-log.max-pending-bytes",
                    "2000"));
        }
    }

    @Inject
    DecisionLogPublisher publisher;

    @Test
    void decisionsBeyondTheLogByteBoundAreRefusedNotMadeWithoutALog() {
        given().get("/q/health/ready").then().statusCode(200);
        String token = Tokens.sessionProxy();
        int answered = 0;
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            var response = given().auth()
                    .oauth2(token)
                    .body("{\"input\": {\"request\": {\"protocol\": \"ssh\", \"command\": \"rm -rf /\"}}}")
                    .post("/v1/data/portcullis/decision/action");
            if (response.statusCode() == 200) {
                response.then().body("result", is("deny"));
                assertEquals(0, refused, "a decision answered after one was refused: nothing was acknowledged");
                answered++;
            } else {
                response.then()
                        .statusCode(503)
                        .body("code", is("internal_error"))
                        .body("message", org.hamcrest.Matchers.containsString("decision log cannot be queued"));
                refused++;
            }
        }
        // each log is a few hundred bytes (its id, path, time, input, result): 2,000 bytes hold a handful, far fewer
        // than the 1,000 the count bound allows, so the byte bound is what refused the rest
        assertTrue(answered >= 1 && answered <= 6, "decisions answered within 2,000 bytes of logs: " + answered);
        assertEquals(50 - answered, refused);
        assertTrue(publisher.refusedCount() >= refused, "refused decisions counted: " + publisher.refusedCount());
        assertEquals(0, publisher.sentCount(), "Kafka is unreachable: nothing was sent");
        given().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("checks.find { it.name == '" + Topics.DECISION_LOGS + "' }.status", is("DOWN"));
    }
}
