package dev.portcullis.broker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.portcullis.contracts.Topics;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Test
    void liveAndReadyReportUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        // ready only once the review-requests consumer has its partitions, which follows the start by a moment
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> given().get("/q/health/ready").statusCode() == 200);
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.find { it.name == '" + Topics.REVIEW_REQUESTS + "' }.status", is("UP"))
                .body("checks.name", hasItem(Topics.REVIEW_REQUESTS))
                // Keycloak in step with the connections file (health/ConnectionScopesReadiness)
                .body("checks.find { it.name == 'keycloak-connection-scopes' }.status", is("UP"))
                .body("checks.find { it.name == 'keycloak-connection-scopes' }.data.connections", greaterThan(0));
    }

    @Test
    void metricsArePrometheusText() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_memory_used_bytes gauge"));
    }
}
