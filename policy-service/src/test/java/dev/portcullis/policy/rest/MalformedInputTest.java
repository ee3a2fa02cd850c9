package dev.portcullis.policy.rest;

import static dev.portcullis.restedge.MalformedInput.enc;
import static dev.portcullis.restedge.MalformedInput.fields;
import static dev.portcullis.restedge.MalformedInput.read;
import static dev.portcullis.restedge.MalformedInput.set;
import static dev.portcullis.restedge.MalformedInput.shorten;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import dev.portcullis.restedge.Endpoints;
import dev.portcullis.restedge.Endpoints.Endpoint;
import dev.portcullis.restedge.MalformedInput;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed ids, query parameters and bodies at every endpoint of the policy service, each with a token whose
 * role passes the endpoint's authorization: never a 5xx, and every refusal in OPA's error shape ({@code code},
 * {@code message}). The endpoints come from the resource classes; {@link #ROWS} says how to call each, and a
 * test checks it names every one with every query parameter.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class MalformedInputTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String PROBE = "fuzz-probe";

    /**
     * How to call an endpoint: whose token, a valid body to start from (null: no body), and the query parameters
     * it reads from the request itself rather than through {@code @QueryParam} (OPA's {@code ?explain}).
     */
    record Row(Supplier<String> token, String body, List<String> rawQuery) {}

    static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static {
        String decision = """
                {"input": {"identity": {"agent": "fuzz", "groups": [], "scopes": ["conn:pg-dev:read"]},
                           "connection": {"name": "pg-dev", "type": "postgres", "tags": {"env": "dev"}},
                           "session": {"id": "s-1"},
                           "request": {"protocol": "postgres", "kind": "query", "text": "SELECT 1",
                                       "statements": [{"type": "SELECT", "tables": ["t"], "has_where": false}]}}}""";
        String policy = """
                {"description": "fuzz", "rules": [{"id": "fuzz-never", "condition": "false", "effect": "deny",
                                                   "message": "never matches"}]}""";
        ROWS.put("POST /v1/data/{path}", new Row(Tokens::sessionProxy, decision, List.of("explain", "metrics")));
        ROWS.put("GET /v1/data/{path}", new Row(Tokens::sessionProxy, null, List.of("explain", "metrics")));
        ROWS.put("PUT /v1/policies/{id}", new Row(Tokens::admin, policy, List.of()));
        ROWS.put("GET /v1/policies", new Row(Tokens::admin, null, List.of()));
        ROWS.put("GET /v1/policies/{id}", new Row(Tokens::admin, null, List.of()));
        ROWS.put("DELETE /v1/policies/{id}", new Row(Tokens::admin, null, List.of()));
        ROWS.put("GET /v1/policies/{id}/history", new Row(Tokens::admin, null, List.of()));
    }

    static final String LONG = "a".repeat(3000);

    /** Path segments, percent-encoded as a client sends them. */
    static final List<String> BAD_IDS = List.of(
            "%00",
            "a%00b",
            "%0A",
            "%7F",
            "%E2%80%AEabc",
            LONG,
            enc("политика"),
            enc("💥"),
            enc("x' OR '1'='1"),
            enc("\"; DROP TABLE policy; --"),
            "UPPER",
            "-dash",
            "%25");

    /** Query values, raw (encoded when sent). */
    static final List<String> BAD_VALUES = List.of(
            "\u0000",
            "{\"a\":\"\u0000\"}",
            "\n",
            "",
            "-1",
            "abc",
            "{",
            "[]",
            "null",
            LONG,
            "[".repeat(200),
            "{\"identity\":{\"agent\":\"\\u0000\"}}",
            "\uD800");

    /** Bodies that are no JSON object or policy document at all. */
    static final List<String> BAD_BODIES = List.of(
            "not json: [",
            "{",
            "[]",
            "\"text\"",
            "42",
            "{\"a\":\u0000}",
            "a\u0000b",
            "\u0001\u0002",
            "[".repeat(5000),
            "{\"x\":\"" + "y".repeat(1_000_000));

    /** Bodies some endpoints accept and others refuse. */
    static final List<String> ODD_BODIES = List.of("", "null", "{}", "{\"unknown\":1}");

    /** Values put in each field of an endpoint's valid body in turn. */
    static final List<Object> BAD_FIELD_VALUES = List.of(
            "a\u0000b",
            "\u0000",
            "\u0001\u001b[31m",
            "\uD800",
            "",
            "x".repeat(100_000),
            12345,
            -1,
            true,
            List.of(1, 2),
            Map.of("nested", Map.of("deeper", 1)));

    @AfterEach
    void removeTheProbePolicy() {
        given().auth().oauth2(Tokens.admin()).delete("/v1/policies/" + PROBE);
    }

    @Test
    void everyEndpointIsInTheTable() {
        List<Endpoint> endpoints = Endpoints.of("dev.portcullis.policy");
        assertFalse(endpoints.isEmpty(), "no endpoints found");
        assertEquals(new TreeSet<>(endpoints.stream().map(Endpoint::key).toList()), new TreeSet<>(ROWS.keySet()));
        for (Endpoint e : endpoints) {
            assertEquals(e.body(), ROWS.get(e.key()).body() != null, e.key() + " reads a body");
        }
    }

    @Test
    void malformedPathIdsNeverGetA5xx() {
        for (Endpoint e : endpoints()) {
            for (String param : e.pathParams()) {
                for (String bad : BAD_IDS) {
                    Response r = send(e, e.path().replace("{" + param + "}", bad), Map.of(), body(e));
                    String what = e.key() + " with " + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertOpaError(r, what);
                    }
                    if (e.path().startsWith("/v1/policies/")) {
                        // the rule: an id no policy can have names none (404), as an unknown one does; a PUT
                        // creates, so there a bad id is a bad request
                        assertEquals(e.method().equals("PUT") ? 400 : 404, r.statusCode(), what);
                    }
                }
            }
        }
    }

    @Test
    void malformedQueryParametersNeverGetA5xx() {
        for (Endpoint e : endpoints()) {
            List<String> params = new ArrayList<>(e.queryParams());
            params.addAll(ROWS.get(e.key()).rawQuery());
            for (String param : params) {
                for (String bad : BAD_VALUES) {
                    Response r = send(e, valid(e), Map.of(param, bad), body(e));
                    String what = e.key() + " with ?" + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertOpaError(r, what);
                        // 413: an input nested deeper than portcullis.policy.limits.max-depth (README)
                        assertTrue(r.statusCode() == 400 || r.statusCode() == 413, what + ": " + r.statusCode());
                    }
                }
            }
        }
    }

    @Test
    void malformedBodiesAreBadRequestsNeverA5xx() {
        for (Endpoint e : endpoints()) {
            if (!e.body()) {
                continue;
            }
            for (String bad : BAD_BODIES) {
                Response r = send(e, valid(e), Map.of(), bad);
                String what = e.key() + " with body " + shorten(bad);
                assertNo5xx(r, what);
                assertOpaError(r, what);
                assertTrue(r.statusCode() == 400 || r.statusCode() == 413, what + ": " + r.statusCode());
            }
            for (String odd : ODD_BODIES) {
                Response r = send(e, valid(e), Map.of(), odd);
                String what = e.key() + " with body " + shorten(odd);
                assertNo5xx(r, what);
                if (r.statusCode() >= 400) {
                    assertOpaError(r, what);
                }
            }
            ObjectNode template = (ObjectNode) read(body(e));
            for (String field : fields(template)) {
                for (Object value : BAD_FIELD_VALUES) {
                    ObjectNode changed = template.deepCopy();
                    set(changed, field, JSON.valueToTree(value));
                    Response r = send(e, valid(e), Map.of(), changed.toString());
                    String what = e.key() + " with " + field + "=" + shorten(String.valueOf(value));
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertOpaError(r, what);
                    }
                }
            }
        }
    }

    @Test
    void bodiesOverTheBackstopLimitAreRefusedInOpaShape() {
        // quarkus.http.limits.max-body-size (8M), refused on the declared length before any resource runs
        String raw = raw("POST /v1/data/portcullis/decision HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + Tokens.sessionProxy() + "\r\nContent-Type: application/json\r\nContent-Length: "
                + (9L * 1024 * 1024) + "\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 413"), raw);
        JsonNode error = read(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        assertEquals("invalid_parameter", error.path("code").asText(), raw);
        assertFalse(error.path("message").asText().isBlank(), raw);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static List<Endpoint> endpoints() {
        return Endpoints.of("dev.portcullis.policy").stream()
                .filter(e -> ROWS.containsKey(e.key()))
                .toList();
    }

    static String body(Endpoint e) {
        return ROWS.get(e.key()).body();
    }

    /** The endpoint's path with valid parameters: the decision document, the probe policy. */
    static String valid(Endpoint e) {
        return e.path().replace("{path}", "portcullis/decision").replace("{id}", PROBE);
    }

    static Response send(Endpoint e, String path, Map<String, String> query, String body) {
        RequestSpecification r = given().urlEncodingEnabled(false)
                .auth()
                .oauth2(ROWS.get(e.key()).token().get());
        StringBuilder url = new StringBuilder(path);
        char sep = '?';
        for (var q : query.entrySet()) {
            url.append(sep).append(enc(q.getKey())).append('=').append(enc(q.getValue()));
            sep = '&';
        }
        if (body != null) {
            r = r.contentType("application/json").body(body.getBytes(StandardCharsets.UTF_8));
        }
        return r.request(e.method(), url.toString());
    }

    static void assertNo5xx(Response r, String what) {
        assertTrue(r.statusCode() < 500, () -> what + ": " + r.statusCode() + " " + shorten(r.asString()));
    }

    /** OPA's error shape: a JSON object with a {@code code} and a {@code message}. */
    static void assertOpaError(Response r, String what) {
        String as = what + ": " + r.statusCode() + " " + shorten(r.asString());
        assertTrue(String.valueOf(r.contentType()).startsWith("application/json"), as);
        JsonNode error = read(r.asString());
        assertTrue(
                error.path("code").isTextual() && !error.path("code").asText().isBlank(), as);
        assertTrue(error.path("message").isTextual(), as);
    }

    static String raw(String head) {
        return MalformedInput.raw(RestAssured.port, head);
    }
}
