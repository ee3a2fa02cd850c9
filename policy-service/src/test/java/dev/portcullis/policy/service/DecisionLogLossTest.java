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
 * Kafka unreachable (a closed port) and a tiny buffer: decisions are answered while their logs can be queued; beyond
 * the bound they are refused (503) rather than made without a log, counted in the metric, and readiness reports it.
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
            return UnreachableKafka.overrides(Map.of("portcullis.policy.decision-log.max-pending", "4"));
        }
    }

    @Inject
    DecisionLogPublisher publisher;

    @Test
    void decisionsBeyondTheLogBoundAreRefusedNotMadeWithoutALog() {
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
                answered++;
            } else {
                response.then()
                        .statusCode(503)
                        .body("code", is("internal_error"))
                        .body("message", org.hamcrest.Matchers.containsString("decision log cannot be queued"));
                refused++;
            }
        }
        // 4 logs pending at most (Kafka never acknowledges): the first 4 decisions are answered, the rest refused
        assertEquals(4, answered, "decisions answered while their logs could be queued");
        assertEquals(46, refused);
        assertTrue(publisher.refusedCount() >= 46, "refused decisions counted: " + publisher.refusedCount());
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern(
                        "(?s).*portcullis_decision_logs_refused_total(\\{[^}]*\\})? [1-9][0-9]*\\.0.*"));
        given().get("/q/health/ready")
                .then()
                .statusCode(503)
                .body("checks.find { it.name == '" + Topics.DECISION_LOGS + "' }.status", is("DOWN"));
    }
}
