package dev.portcullis.policy.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/data/portcullis/decision} is served by {@link DecisionRoute}, every other path and method by
 * {@link DataResource}: the two must answer alike. (Tokens, roles and malformed bodies on that path are pinned by
 * {@link DataResourceTest} and {@link MalformedInputTest}, which now reach the route.)
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class DecisionRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/data/portcullis/decision")
    URL decision;

    static String input() throws Exception {
        try (InputStream in = DecisionRouteTest.class.getResourceAsStream("/golden/prod-delete-input.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The answer without its decision id and timings, the only parts that differ from one decision to the next. */
    static JsonNode stable(Response r) throws Exception {
        r.then().statusCode(200).contentType(ContentType.JSON);
        ObjectNode answer = (ObjectNode) JSON.readTree(r.asString());
        assertTrue(answer.path("decision_id").isTextual(), r.asString());
        answer.remove("decision_id");
        if (answer.has("metrics")) {
            ObjectNode metrics = (ObjectNode) answer.get("metrics");
            assertEquals(
                    List.of("timer_rego_query_eval_ns", "timer_server_handler_ns"),
                    List.copyOf(iterable(metrics.fieldNames())),
                    r.asString());
            assertTrue(metrics.get("timer_server_handler_ns").asLong() > 0, r.asString());
            answer.remove("metrics");
        }
        return answer;
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void theRouteAndTheResourceGiveTheSameAnswer() throws Exception {
        String body = input();
        String inputOnly = JSON.readTree(body).get("input").toString();
        for (String query : new String[] {"", "?provenance=true", "?provenance&metrics&explain"}) {
            JsonNode route = stable(given().auth()
                    .oauth2(Tokens.sessionProxy())
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post("/v1/data/portcullis/decision" + query));
            // a trailing slash is not the route's exact path: DataResource answers it
            JsonNode resource = stable(given().auth()
                    .oauth2(Tokens.sessionProxy())
                    .contentType(ContentType.JSON)
                    .body(body)
                    .post("/v1/data/portcullis/decision/" + query));
            JsonNode get = stable(given().auth()
                    .oauth2(Tokens.sessionProxy())
                    .urlEncodingEnabled(true)
                    .queryParam("input", inputOnly)
                    .get("/v1/data/portcullis/decision" + query));
            assertEquals(resource, route, "POST " + query);
            assertEquals(get, route, "GET " + query);
            assertEquals("deny", route.path("result").path("action").asText(), route.toString());
            assertEquals(query.contains("provenance"), route.has("provenance"), route.toString());
            assertEquals(query.contains("explain"), route.has("explanation"), route.toString());
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedInOpaShape() throws Exception {
        // no Content-Length: the size is known only by reading, which RequestBodies' limit (1 MiB) stops
        byte[] big = new byte[1024 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(decision.toString()))
                                .header("Authorization", "Bearer " + Tokens.sessionProxy())
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        JsonNode error = JSON.readTree(r.body());
        assertEquals("invalid_parameter", error.path("code").asText(), r.body());
        assertEquals(
                "request body is " + big.length + " bytes, the limit is 1048576",
                error.path("message").asText(),
                r.body());
    }

    @Test
    void aClientThatWaitsForContinueIsToldToSendItsBody() throws Exception {
        // RESTEasy answers Expect: 100-continue; without it such a client waits for its own timeout before sending.
        // HTTP/1.1: the client's default, HTTP/2, asks for an h2c upgrade, and it cannot take the 101 while it waits
        HttpResponse<String> r = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(decision.toString()))
                                .header("Authorization", "Bearer " + Tokens.sessionProxy())
                                .header("Content-Type", "application/json")
                                .expectContinue(true)
                                .timeout(java.time.Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(input()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(
                "deny", JSON.readTree(r.body()).path("result").path("action").asText(), r.body());
    }

    @Test
    void anEmptyBodyIsABadRequest() {
        given().auth()
                .oauth2(Tokens.sessionProxy())
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(400)
                .contentType(ContentType.JSON)
                .body("code", org.hamcrest.Matchers.is("invalid_parameter"))
                .body("message", org.hamcrest.Matchers.startsWith("input is required"));
    }

    @Test
    void anAuthorizationHeaderTheCacheCannotReadIsStillAuthenticatedByQuarkus() {
        // a lower-case scheme is not the cache's fast path; quarkus-oidc reads it (and verifies the token) as before
        String token = Tokens.sessionProxy();
        given().header("Authorization", "bearer " + token)
                .body("{\"input\": {\"connection\": {\"type\": \"postgres\"}}}")
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .body("result.action", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", "Basic " + token)
                .body("{\"input\": {\"connection\": {\"type\": \"postgres\"}}}")
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(401)
                .body("code", org.hamcrest.Matchers.is("unauthorized"));
    }
}
