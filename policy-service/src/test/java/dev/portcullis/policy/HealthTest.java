package dev.portcullis.policy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.portcullis.contracts.Topics;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class HealthTest {

    @Test
    void liveAndReadyReportUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.name", hasItem(Topics.DECISION_LOGS));
    }

    @Test
    void metricsArePrometheusText() {
        given().get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("# TYPE jvm_memory_used_bytes gauge"))
                .body(containsString("portcullis_decision_logs_dropped_total"));
    }
}
