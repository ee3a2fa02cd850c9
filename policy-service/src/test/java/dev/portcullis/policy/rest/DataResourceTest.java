package dev.portcullis.policy.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.aMapWithSize;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class DataResourceTest {

    @jakarta.inject.Inject
    dev.portcullis.policy.security.TokenCache tokenCache;

    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SELECT = """
            {"input": {"connection": {"name": "pg-dev", "type": "postgres", "tags": {"env": "dev"}},
                       "request": {"protocol": "postgres", "kind": "query", "text": "SELECT 1",
                                   "statements": [{"type": "SELECT", "tables": []}]}}}
            """;

    static RequestSpecification asProxy() {
        return given().auth().oauth2(Tokens.sessionProxy());
    }

    static String golden(String name) throws Exception {
        try (InputStream in = DataResourceTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** The whole response equals the golden file, except decision_id, which must be a UUID. */
    static void assertGolden(Response r, String expectedFile) throws Exception {
        r.then().statusCode(200).contentType(ContentType.JSON).body("decision_id", matchesPattern(UUID));
        ObjectNode actual = (ObjectNode) JSON.readTree(r.asString());
        actual.remove("decision_id");
        JsonNode expected = JSON.readTree(golden(expectedFile));
        assertEquals(expected, actual, () -> "response was " + r.asString());
    }

    @Test
    void postDecisionMatchesTheGoldenOpaShape() throws Exception {
        assertGolden(
                asProxy()
                        .contentType(ContentType.JSON)
                        .body(golden("prod-delete-input.json"))
                        .post("/v1/data/portcullis/decision"),
                "prod-delete-result.json");
        assertGolden(
                asProxy()
                        .contentType(ContentType.JSON)
                        .body(golden("ssh-sudo-input.json"))
                        .post("/v1/data/portcullis/decision"),
                "ssh-sudo-result.json");
    }

    @Test
    void getWithInputQueryParameterGivesTheSameDecision() throws Exception {
        String input = JSON.readTree(golden("ssh-sudo-input.json")).get("input").toString();
        assertGolden(asProxy().queryParam("input", input).get("/v1/data/portcullis/decision"), "ssh-sudo-result.json");
    }

    @Test
    void pathsAboveAndInsideTheDecisionAreDefined() {
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis")
                .then()
                .statusCode(200)
                .body("result.decision.action", is("allow"))
                .body("decision_id", matchesPattern(UUID));
        asProxy()
                .body(SELECT)
                .post("/v1/data")
                .then()
                .statusCode(200)
                .body("result.portcullis.decision.record", is(true));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision/action")
                .then()
                .statusCode(200)
                .body("result", is("allow"));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision/mask/0")
                .then()
                .statusCode(200)
                .body("result.column", is("*email*"));
    }

    @Test
    void undefinedPathsGiveAnEmptyObjectLikeOpa() {
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/other")
                .then()
                .statusCode(200)
                .body("$", anEmptyMap());
        asProxy()
                .body(SELECT)
                .post("/v1/data/nothing/here")
                .then()
                .statusCode(200)
                .body("$", anEmptyMap());
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision/nope")
                .then()
                .statusCode(200)
                .body("$", anEmptyMap());
        asProxy().get("/v1/data/unknown").then().statusCode(200).body("$", anEmptyMap());
    }

    @Test
    void metricsAndExplainAreAddedOnRequest() {
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision?metrics")
                .then()
                .statusCode(200)
                .body("metrics.timer_rego_query_eval_ns", greaterThan(0))
                .body("metrics.timer_server_handler_ns", greaterThan(0))
                .body("$", not(hasKey("explanation")));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision?explain=full")
                .then()
                .statusCode(200)
                .body("explanation.rule", hasItem("pg-drop-forbidden"))
                .body("explanation.find { it.rule == 'mask-sensitive-columns' }.outcome", is("matched"))
                .body("explanation.find { it.rule == 'ssh-sudo-review' }.outcome", is("skipped"))
                .body("$", not(hasKey("metrics")));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .body("$", aMapWithSize(2));
    }

    /** OPA's {@code ?provenance}: the revision of the policy set that decided, beside the result. */
    @Test
    void provenanceGivesThePolicyRevisionAndTheResultItsCacheScope() {
        String revision = asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision?provenance=true")
                .then()
                .statusCode(200)
                .body("provenance.revision", matchesPattern("[0-9a-f]{16}"))
                // the default pack's PostgreSQL rules read only the proxy's analysis, never a literal
                .body("result.cache.scope", is("shape"))
                .extract()
                .path("provenance.revision");
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision?provenance")
                .then()
                .statusCode(200)
                .body("provenance.revision", is(revision));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .body("$", not(hasKey("provenance")));
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision/cache")
                .then()
                .statusCode(200)
                .body("result.scope", is("shape"));
    }

    // --- auth -----------------------------------------------------------------------------

    @Test
    void decisionsNeedAToken() {
        given().body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(401)
                .body("code", is("unauthorized"));
    }

    @Test
    void aForgedTokenIsRefused() {
        String[] parts = Tokens.sessionProxy().split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        given().auth()
                .oauth2(forged)
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(401)
                .body("code", is("unauthorized"));
    }

    @Test
    void humansAndOtherServicesAreNotDecisionCallers() {
        given().auth()
                .oauth2(Tokens.auditor())
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(403)
                .body("code", is("unauthorized"));
        given().auth()
                .oauth2(Tokens.admin())
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(403);
    }

    @Test
    void aVerifiedTokenIsRememberedWhileTamperingAndRolesStillCount() {
        String proxy = Tokens.sessionProxy();
        asProxy().body(SELECT).post("/v1/data/portcullis/decision").then().statusCode(200);
        long hits = tokenCache.hits();
        asProxy()
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .body("result.action", is("allow"));
        org.junit.jupiter.api.Assertions.assertTrue(
                tokenCache.hits() > hits, "the second request with the same token is answered from the cache");

        // a token that differs from the cached one in its signature is verified, and refused
        String[] parts = proxy.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String altered = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);
        given().auth()
                .oauth2(altered)
                .body(SELECT)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(401);

        // roles are worked out again for a remembered token: a human stays refused
        for (int i = 0; i < 2; i++) {
            given().auth()
                    .oauth2(Tokens.admin())
                    .body(SELECT)
                    .post("/v1/data/portcullis/decision")
                    .then()
                    .statusCode(403);
        }
    }

    // --- bad input ------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed JSON|{\"input\": {|400|body is not valid JSON",
                "trailing garbage|{\"input\": {}} x|400|body is not valid JSON",
                "missing input|{\"inptu\": {}}|400|input is required",
                "empty body|''|400|input is required",
                "null input|{\"input\": null}|400|input is required",
                "body not an object|[1, 2]|400|body must be a JSON object",
                "input not an object|{\"input\": \"DROP TABLE x\"}|400|input must be an object",
                "tags wrong type|{\"input\": {\"connection\": {\"tags\": [\"prod\"]}}}|400|input.connection.tags must be an object",
                "statements wrong type|{\"input\": {\"request\": {\"statements\": \"DROP\"}}}|400|input.request.statements must be an array",
                "has_where wrong type|{\"input\": {\"request\": {\"statements\": [{\"type\": \"DELETE\", \"has_where\": 1}]}}}|400|input.request.statements[0].has_where must be a boolean",
                "time not a timestamp|{\"input\": {\"time\": \"03:12\"}}|400|input.time must be an RFC 3339 timestamp"
            })
    void badInputIsAnOpaShaped4xx(String name, String body, int status, String message) {
        asProxy()
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(status)
                .contentType(ContentType.JSON)
                .body("code", is("invalid_parameter"))
                .body("message", startsWith(message));
    }

    @Test
    void tooDeepIsRefusedWith413() {
        String deep = "{\"input\": {\"x\": " + "[".repeat(200) + "]".repeat(200) + "}}";
        asProxy()
                .contentType(ContentType.JSON)
                .body(deep)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(413)
                .body("code", is("invalid_parameter"))
                .body("message", is("request body nests deeper than 64 levels"));
    }

    @Test
    void oversizedIsRefusedWith413() {
        String big = "{\"input\": {\"request\": {\"text\": \"" + "a".repeat(1_100_000) + "\"}}}";
        asProxy()
                .contentType(ContentType.JSON)
                .body(big)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(413)
                .body("code", is("invalid_parameter"))
                .body("message", is("request body is " + big.length() + " bytes, the limit is 1048576"));
    }

    @Test
    void wrongTypesInAGetInputAreRefusedToo() {
        asProxy()
                .queryParam("input", "{not json")
                .get("/v1/data/portcullis/decision")
                .then()
                .statusCode(400)
                .body("code", is("invalid_parameter"));
        asProxy()
                .get("/v1/data/portcullis/decision")
                .then()
                .statusCode(400)
                .body("message", startsWith("input is required"));
    }

    @Test
    void unknownEndpointsAndMethodsAreOpaShaped() {
        asProxy().get("/v1/nothing").then().statusCode(404).body("code", is("resource_not_found"));
        asProxy()
                .body(SELECT)
                .delete("/v1/data/portcullis/decision")
                .then()
                .statusCode(405)
                .body("code", is("invalid_parameter"));
    }

    @Test
    void unknownFieldsAreIgnored() {
        asProxy()
                .body("{\"input\": {\"future_field\": {\"a\": [1, 2.5, null, true]}}, \"unknown\": 1}")
                .post("/v1/data/portcullis/decision/action")
                .then()
                .statusCode(200)
                .body("result", equalTo("allow"));
    }
}
