package dev.portcullis.broker.rest;

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
import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.restedge.Endpoints;
import dev.portcullis.restedge.Endpoints.Endpoint;
import dev.portcullis.restedge.MalformedInput;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed ids, query parameters and bodies at every endpoint, each with a token whose role passes the
 * endpoint's authorization: never a 5xx, and every refusal is problem details. The endpoints come from the
 * resource classes; {@link #ROWS} says how to call each, and a test checks it names every one.
 */
@QuarkusTest
class MalformedInputTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** How to call an endpoint: whose token, and a valid JSON body to start from (null: no body). */
    record Row(Supplier<String> token, String body) {}

    static Agents.Created agent;

    static final Supplier<String> ADMIN = () -> Tokens.user(Tokens.ADMIN);
    static final Supplier<String> APPROVER = () -> Tokens.user(Tokens.APPROVER);
    static String agentToken;
    static final Supplier<String> AGENT = () -> agentToken;

    static final Map<String, Row> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("POST /v1/agents", new Row(ADMIN, """
                {"name":"fuzz-made","team":"platform","owner":"o","description":"d",
                 "auth":{"method":"client_secret"}}"""));
        ROWS.put("GET /v1/agents", new Row(ADMIN, null));
        ROWS.put("GET /v1/agents/{name}", new Row(ADMIN, null));
        ROWS.put("PATCH /v1/agents/{name}", new Row(ADMIN, """
                {"team":"platform","owner":"o","description":"d"}"""));
        ROWS.put("DELETE /v1/agents/{name}", new Row(ADMIN, null));
        ROWS.put("POST /v1/agents/{name}/secret", new Row(ADMIN, null));
        ROWS.put("POST /v1/agents/{name}/grants", new Row(ADMIN, """
                {"connection":"pg-test","access":"read","duration":"PT1M"}"""));
        ROWS.put("GET /v1/agents/{name}/grants", new Row(ADMIN, null));
        ROWS.put("GET /v1/agents/{name}/connection-hints", new Row(ADMIN, null));
        ROWS.put("DELETE /v1/grants/{id}", new Row(ADMIN, null));
        ROWS.put("POST /v1/access-requests", new Row(ADMIN, """
                {"agent":"%s","connection":"pg-test","access":"read","duration":"PT30M","reason":"fuzz"}"""));
        ROWS.put("GET /v1/access-requests", new Row(APPROVER, null));
        ROWS.put("GET /v1/access-requests/{id}", new Row(APPROVER, null));
        ROWS.put("POST /v1/access-requests/{id}/approve", new Row(APPROVER, """
                {"comment":"ok"}"""));
        ROWS.put("POST /v1/access-requests/{id}/deny", new Row(APPROVER, """
                {"comment":"no"}"""));
        ROWS.put("GET /v1/reviews", new Row(APPROVER, null));
        ROWS.put("GET /v1/reviews/{id}", new Row(APPROVER, null));
        ROWS.put("POST /v1/reviews/{id}/approve", new Row(APPROVER, """
                {"comment":"ok"}"""));
        ROWS.put("POST /v1/reviews/{id}/deny", new Row(APPROVER, """
                {"comment":"no"}"""));
        ROWS.put("POST /v1/tokens", new Row(AGENT, """
                {"connection":"pg-test","access":"read","ttl":60}"""));
        ROWS.put("GET /v1/audit", new Row(ADMIN, null));
        ROWS.put("GET /v1/keys/control-events", new Row(ADMIN, null));
    }

    static final String LONG = "a".repeat(3000);

    /** Path segments, already percent-encoded as a client would send them. */
    static final List<String> BAD_IDS = List.of(
            "%00",
            "a%00b",
            "%0A",
            "%7F",
            "%C0%80",
            "%E2%80%AE" + "abc",
            LONG,
            enc("агент"),
            enc("💥"),
            "..%2f..%2fq%2fhealth",
            "%2e%2e%2fsecret",
            enc("x' OR '1'='1"),
            enc("\"; DROP TABLE agent; --"),
            "not-a-uuid",
            "1-1-1-1-1",
            "%25",
            "UPPER");

    /** Query values, raw (encoded when sent). */
    static final List<String> BAD_VALUES = List.of(
            "\u0000",
            "a\u0000b",
            "\n",
            "",
            " ",
            "-1",
            "abc",
            "99999999999999999999",
            "1e3",
            "true\u0000",
            LONG,
            "агент",
            "x' OR '1'='1",
            "../../etc/passwd",
            "2026-13-45T99:99:99Z",
            "\uD800");

    /** Bodies that are no JSON object at all: refused by every endpoint that reads one. */
    static final List<String> BAD_BODIES = List.of(
            "not json",
            "{",
            "[]",
            "\"text\"",
            "42",
            "{\"a\":\u0000}",
            "{\"a\":\"\u0000\"",
            "[".repeat(5000),
            "{\"x\":\"" + "y".repeat(1_000_000));

    /** Bodies some endpoints accept (an empty patch, no comment) and others refuse. */
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

    @BeforeEach
    void agent() {
        if (agent == null) {
            agent = Agents.create("fuzz", Tokens.ADMIN);
            Agents.grant(agent.name(), "pg-test", "read");
            agentToken = Tokens.agentToken(agent.name(), agent.secret());
        }
    }

    @Test
    void everyEndpointIsInTheTable() {
        List<String> endpoints = Endpoints.of("dev.portcullis.broker").stream()
                .map(Endpoint::key)
                .toList();
        assertFalse(endpoints.isEmpty(), "no endpoints found");
        assertEquals(new java.util.TreeSet<>(endpoints), new java.util.TreeSet<>(ROWS.keySet()));
    }

    @Test
    void malformedPathIdsAreNotFoundNeverA5xx() {
        for (Endpoint e : endpoints()) {
            for (String param : e.pathParams()) {
                for (String bad : BAD_IDS) {
                    String path = fill(e, param, bad);
                    Response r = send(e, path, Map.of(), body(e));
                    String what = e.key() + " with " + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    assertProblem(r, what);
                    if (bad.startsWith("..") || bad.startsWith("%2e")) {
                        // dot segments are resolved before routing: whatever they lead to, never a 5xx
                        continue;
                    }
                    if (bad.equals("%C0%80")) {
                        // not UTF-8 at all: a malformed request line rather than an id
                        assertTrue(r.statusCode() == 400 || r.statusCode() == 404, what);
                    } else {
                        // the rule: a path id that no resource can have names nothing (404), as an unknown one does
                        assertEquals(404, r.statusCode(), () -> what + ": " + r.asString());
                    }
                }
            }
        }
    }

    @Test
    void malformedQueryParametersAreBadRequestsNeverA5xx() {
        for (Endpoint e : endpoints()) {
            for (String param : e.queryParams()) {
                for (String bad : BAD_VALUES) {
                    Response r = send(e, fill(e, null, null), Map.of(param, bad), body(e));
                    String what = e.key() + " with ?" + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertProblem(r, what);
                        assertEquals(400, r.statusCode(), what);
                        assertTrue(
                                r.jsonPath()
                                        .getList("errors.field", String.class)
                                        .contains(param),
                                what + ": " + r.asString());
                    }
                    if (bad.chars().anyMatch(Character::isISOControl)) {
                        assertEquals(400, r.statusCode(), what);
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
                Response r = send(e, fill(e, null, null), Map.of(), bad);
                String what = e.key() + " with body " + shorten(bad);
                assertNo5xx(r, what);
                assertProblem(r, what);
                assertEquals(400, r.statusCode(), what);
            }
            for (String odd : ODD_BODIES) {
                Response r = send(e, fill(e, null, null), Map.of(), odd);
                String what = e.key() + " with body " + shorten(odd);
                assertNo5xx(r, what);
                if (r.statusCode() >= 400) {
                    assertProblem(r, what);
                }
            }
            String valid = body(e);
            ObjectNode template = (ObjectNode) read(valid);
            for (String field : fields(template)) {
                for (Object value : BAD_FIELD_VALUES) {
                    ObjectNode changed = template.deepCopy();
                    set(changed, field, JSON.valueToTree(value));
                    Response r = send(e, fill(e, null, null), Map.of(), changed.toString());
                    String what = e.key() + " with " + field + "=" + shorten(String.valueOf(value));
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertProblem(r, what);
                    }
                    if (value instanceof String s
                            && s.chars().anyMatch(c -> c == 0)
                            && template.at("/" + field.replace('.', '/')).isTextual()) {
                        // a NUL in a text field never reaches PostgreSQL (Jackson reads a blank number as absent)
                        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, what + ": " + r.statusCode());
                    }
                }
            }
        }
    }

    @Test
    void errorsQuarkusRaisesItselfAreProblemDetailsToo() {
        String admin = Tokens.user(Tokens.ADMIN);
        // no such route, inside and outside /v1
        assertProblem(given().auth().oauth2(admin).get("/v1/no-such-thing"), 404);
        assertProblem(given().auth().oauth2(admin).get("/no-such-thing"), 404);
        // wrong method: 405 with Allow
        Response put = given().auth()
                .oauth2(admin)
                .contentType("application/json")
                .body("{}")
                .put("/v1/agents");
        assertProblem(put, 405);
        // unsupported media type, unacceptable response type
        assertProblem(
                given().auth()
                        .oauth2(admin)
                        .contentType("text/plain")
                        .body("name=x")
                        .post("/v1/agents"),
                415);
        assertProblem(given().auth().oauth2(admin).accept("application/xml").get("/v1/agents"), 406);
        // no token, a token that is not one, a token of the wrong role
        Response anonymous = given().get("/v1/agents");
        assertProblem(anonymous, 401);
        assertTrue(String.valueOf(anonymous.header("WWW-Authenticate")).startsWith("Bearer"));
        assertProblem(given().auth().oauth2("not-a-token").get("/v1/agents"), 401);
        assertProblem(given().auth().oauth2(Tokens.user(Tokens.AUDITOR)).get("/v1/agents/" + agent.name()), 403);
        // a body over quarkus.http.limits.max-body-size (10 MiB by default), refused on its declared length
        String raw = raw("POST /v1/agents HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + admin
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (11 * 1024 * 1024) + "\r\n\r\n");
        assertTrue(raw.startsWith("HTTP/1.1 413"), raw);
        assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/problem+json"), raw);
        JsonNode tooLarge = read(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        assertEquals(413, tooLarge.path("status").asInt(), raw);
        assertEquals("/v1/agents", tooLarge.path("instance").asText(), raw);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static List<Endpoint> endpoints() {
        return Endpoints.of("dev.portcullis.broker").stream()
                .filter(e -> ROWS.containsKey(e.key()))
                .toList();
    }

    static String body(Endpoint e) {
        Row row = ROWS.get(e.key());
        return row.body() == null
                ? null
                : row.body().formatted(agent.name()).replace("fuzz-made", Agents.uniqueName("fuzz-made"));
    }

    /** The endpoint's path with {@code param} set to {@code bad} and every other parameter to a valid value. */
    static String fill(Endpoint e, String param, String bad) {
        String path = e.path();
        for (String p : e.pathParams()) {
            String value = p.equals(param)
                    ? bad
                    : p.equals("name") ? agent.name() : UUID.randomUUID().toString();
            path = path.replace("{" + p + "}", value);
        }
        return path;
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

    static void assertProblem(Response r, int status) {
        assertEquals(status, r.statusCode(), () -> shorten(r.asString()));
        assertProblem(r, "status " + status);
    }

    /** RFC 9457 problem details: the media type and type, title, status (the response's), detail, instance. */
    static void assertProblem(Response r, String what) {
        String as = what + ": " + r.statusCode() + " " + shorten(r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), as + " (" + r.contentType() + ")");
        JsonNode p = read(r.asString());
        assertEquals("about:blank", p.path("type").asText(), as);
        assertFalse(p.path("title").asText().isBlank(), as);
        assertEquals(r.statusCode(), p.path("status").asInt(), as);
        assertFalse(p.path("detail").asText().isBlank(), as);
        assertTrue(p.path("instance").asText().startsWith("/"), as);
        if (p.has("errors")) {
            for (JsonNode err : p.get("errors")) {
                assertFalse(err.path("field").asText().isBlank(), as);
                assertFalse(err.path("message").asText().isBlank(), as);
            }
        }
    }

    static String raw(String head) {
        return MalformedInput.raw(RestAssured.port, head);
    }
}
