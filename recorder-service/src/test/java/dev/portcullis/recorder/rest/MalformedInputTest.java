package dev.portcullis.recorder.rest;

import static dev.portcullis.recorder.support.RecorderTestSupport.adminToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static dev.portcullis.restedge.MalformedInput.enc;
import static dev.portcullis.restedge.MalformedInput.read;
import static dev.portcullis.restedge.MalformedInput.shorten;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.restedge.Endpoints;
import dev.portcullis.restedge.Endpoints.Endpoint;
import dev.portcullis.restedge.MalformedInput;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed ids, query parameters, headers and bodies at every endpoint, with an auditor's token (the role every
 * endpoint asks for): never a 5xx, and every refusal is problem details. The JAX-RS endpoints come from the
 * resource classes, the Vert.x download route is added by hand and checked against its declared path; a test
 * checks that {@link #ENDPOINTS} names each.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class MalformedInputTest {

    /** Every endpoint of the recorder, with the query parameters and headers it reads. */
    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint(
                    "GET",
                    "/v1/decisions",
                    List.of(),
                    List.of("agent", "connection", "session", "action", "from", "to", "page", "size"),
                    false),
            new Endpoint(
                    "GET",
                    "/v1/sessions",
                    List.of(),
                    List.of(
                            "agent",
                            "connection",
                            "protocol",
                            "status",
                            "from",
                            "to",
                            "denied",
                            "reviewed",
                            "page",
                            "size"),
                    false),
            new Endpoint("GET", "/v1/sessions/{id}", List.of("id"), List.of(), false),
            new Endpoint("GET", "/v1/sessions/{id}/downloads", List.of("id"), List.of(), false),
            new Endpoint("POST", "/v1/recordings/verify", List.of(), List.of("session"), true),
            new Endpoint("GET", "/v1/recordings/keys", List.of(), List.of(), false),
            new Endpoint("GET", "/v1/recordings/ledger", List.of(), List.of("from", "limit"), false),
            // RecordingDownloadRoute (Vert.x): not among the JAX-RS resources
            new Endpoint("GET", "/v1/sessions/{id}/recording", List.of("id"), List.of("format"), false),
            new Endpoint("HEAD", "/v1/sessions/{id}/recording", List.of("id"), List.of("format"), false));

    static final String LONG = "a".repeat(3000);

    /** Path segments, percent-encoded as a client sends them. */
    static final List<String> BAD_IDS = List.of(
            "%00",
            "a%00b",
            "%0A",
            "%7F",
            "%E2%80%AEabc",
            LONG,
            enc("сессия"),
            enc("💥"),
            enc("x' OR '1'='1"),
            enc("\"; DROP TABLE recorded_session; --"),
            enc("a b"),
            "%25",
            "-starts-with-dash",
            "a%2Fb");

    /** Query values, raw (encoded when sent). */
    static final List<String> BAD_VALUES = List.of(
            "\u0000",
            "a\u0000b",
            "\n",
            " ",
            "-1",
            "abc",
            "2147483647",
            "99999999999999999999",
            "1e3",
            LONG,
            "сессия",
            "x' OR '1'='1",
            "../../etc/passwd",
            "2026-13-45T99:99:99Z",
            "\uD800");

    /** Range headers, as sent. */
    static final List<String> BAD_RANGES =
            List.of("bytes=", "bytes=-", "bytes=9-1", "bytes=-0", "bytes=abc-def", "bits=0-1", "bytes=0-1,2-3", "x");

    /** Bodies for the verify endpoint: none is a valid recording, none may fail the request. */
    static final List<String> BODIES = List.of(
            "",
            "not json",
            "{",
            "\u0000\u0000\u0000",
            "{\"seq\":\"\u0000\"}\n",
            "[".repeat(5000),
            "{\"x\":\"" + "y".repeat(1_000_000) + "\"}\n",
            "{}\n{}\n{}\n");

    static String recorded;

    @BeforeEach
    void recordOneSession() {
        if (recorded == null) {
            String id = newSessionId("fuzz");
            sqlSession(id, "fuzz-agent", "pg-dev", Instant.now()).forEach(e -> send(Topics.SESSION_EVENTS, id, e));
            awaitFinal(id, Duration.ofSeconds(60));
            recorded = id;
        }
    }

    @Test
    void everyEndpointIsInTheTable() {
        Set<String> table = new java.util.TreeSet<>(ENDPOINTS.stream()
                .filter(e -> !e.path().endsWith("/recording"))
                .map(Endpoint::key)
                .toList());
        List<Endpoint> resources = Endpoints.of("dev.portcullis.recorder");
        assertThat(resources).isNotEmpty();
        assertThat(table)
                .containsExactlyInAnyOrderElementsOf(
                        Set.copyOf(resources.stream().map(Endpoint::key).toList()));
        for (Endpoint r : resources) {
            Endpoint row = ENDPOINTS.stream()
                    .filter(e -> e.key().equals(r.key()))
                    .findFirst()
                    .orElseThrow();
            assertThat(row.queryParams()).as(r.key()).containsExactlyInAnyOrderElementsOf(r.queryParams());
            assertThat(row.body()).as(r.key()).isEqualTo(r.body());
        }
        // the download route's own path, as it registers it
        assertThat(RecordingDownloadRoute.PATH.replace(":id", "{id}")).isEqualTo("/v1/sessions/{id}/recording");
    }

    @Test
    void malformedPathIdsAreNotFoundNeverA5xx() {
        for (Endpoint e : ENDPOINTS) {
            for (String param : e.pathParams()) {
                for (String bad : BAD_IDS) {
                    Response r = call(e, e.path().replace("{" + param + "}", bad), Map.of(), Map.of(), null);
                    String what = e.key() + " with " + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    assertProblem(r, what);
                    assertThat(r.statusCode()).as(what).isEqualTo(404);
                }
            }
        }
    }

    @Test
    void malformedQueryParametersAreBadRequestsNeverA5xx() {
        for (Endpoint e : ENDPOINTS) {
            String path = e.path().replace("{id}", recorded);
            for (String param : e.queryParams()) {
                for (String bad : BAD_VALUES) {
                    Response r = call(e, path, Map.of(param, bad), Map.of(), e.body() ? "" : null);
                    String what = e.key() + " with ?" + param + "=" + shorten(bad);
                    assertNo5xx(r, what);
                    if (r.statusCode() >= 400) {
                        assertProblem(r, what);
                        // 404: a well-formed session id that names no recording (verify)
                        assertThat(r.statusCode()).as(what).isIn(400, 404);
                        if (r.statusCode() == 400 && !e.method().equals("HEAD")) {
                            assertThat(r.jsonPath().getList("errors.field", String.class))
                                    .as(what)
                                    .contains(param);
                        }
                    }
                    if (bad.chars().anyMatch(Character::isISOControl)) {
                        assertThat(r.statusCode()).as(what).isEqualTo(400);
                    }
                }
            }
        }
    }

    @Test
    void malformedRangesAndBodiesNeverFail() {
        for (String method : List.of("GET", "HEAD")) {
            Endpoint download = ENDPOINTS.stream()
                    .filter(e -> e.key().equals(method + " /v1/sessions/{id}/recording"))
                    .findFirst()
                    .orElseThrow();
            for (String range : BAD_RANGES) {
                Response r = call(
                        download, download.path().replace("{id}", recorded), Map.of(), Map.of("Range", range), null);
                String what = download.key() + " with Range: " + range;
                assertNo5xx(r, what);
                if (r.statusCode() >= 400) {
                    assertProblem(r, what);
                    assertThat(r.statusCode()).as(what).isEqualTo(416);
                }
            }
        }
        Endpoint verify = ENDPOINTS.stream()
                .filter(e -> e.key().equals("POST /v1/recordings/verify"))
                .findFirst()
                .orElseThrow();
        for (String body : BODIES) {
            for (Map<String, String> query : List.of(Map.<String, String>of(), Map.of("session", recorded))) {
                Response r = call(verify, verify.path(), query, Map.of(), body);
                String what = "verify " + query + " with body " + shorten(body);
                assertNo5xx(r, what);
                assertThat(r.statusCode()).as(what).isEqualTo(200);
                assertThat(r.jsonPath().getBoolean("valid")).as(what).isFalse();
            }
        }
    }

    @Test
    void errorsQuarkusRaisesItselfAreProblemDetailsToo() {
        String auditor = auditorToken();
        assertProblem(given().auth().oauth2(auditor).get("/v1/no-such-thing"), 404);
        assertProblem(given().auth().oauth2(auditor).get("/no-such-thing"), 404);
        assertProblem(given().auth().oauth2(auditor).delete("/v1/sessions"), 405);
        assertProblem(given().auth().oauth2(auditor).accept("application/xml").get("/v1/sessions"), 406);
        for (String path : List.of("/v1/sessions", "/v1/sessions/" + recorded + "/recording")) {
            Response anonymous = given().get(path);
            assertProblem(anonymous, 401);
            assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
            assertProblem(given().auth().oauth2("not-a-token").get(path), 401);
            assertProblem(given().auth().oauth2(adminToken()).get(path), 403);
        }
        // a recording to verify over quarkus.http.limits.max-body-size (64 MiB), refused on its declared length
        String raw = raw("POST /v1/recordings/verify HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + auditor
                + "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + (65L * 1024 * 1024) + "\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 413");
        assertThat(raw.toLowerCase(Locale.ROOT)).contains("content-type: application/problem+json");
        JsonNode tooLarge = read(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        assertThat(tooLarge.path("status").asInt()).isEqualTo(413);
        assertThat(tooLarge.path("instance").asText()).isEqualTo("/v1/recordings/verify");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    static Response call(Endpoint e, String path, Map<String, String> query, Map<String, String> headers, String body) {
        RequestSpecification r = given().urlEncodingEnabled(false).auth().oauth2(auditorToken());
        StringBuilder url = new StringBuilder(path);
        char sep = '?';
        for (var q : query.entrySet()) {
            url.append(sep).append(enc(q.getKey())).append('=').append(enc(q.getValue()));
            sep = '&';
        }
        r = r.headers(headers);
        if (body != null) {
            r = r.contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8));
        }
        return r.request(e.method(), url.toString());
    }

    static void assertNo5xx(Response r, String what) {
        assertThat(r.statusCode()).as(what + ": " + shorten(r.asString())).isLessThan(500);
    }

    static void assertProblem(Response r, int status) {
        assertThat(r.statusCode()).as(shorten(r.asString())).isEqualTo(status);
        assertProblem(r, "status " + status);
    }

    /**
     * RFC 9457 problem details: the media type, and (except for a HEAD, which has no body) type, title, status
     * (the response's), detail, instance.
     */
    static void assertProblem(Response r, String what) {
        String as = what + ": " + r.statusCode() + " " + shorten(r.asString());
        assertThat(r.contentType()).as(as).startsWith("application/problem+json");
        if (r.asString().isEmpty()) {
            return;
        }
        JsonNode p = read(r.asString());
        assertThat(p.path("type").asText()).as(as).isEqualTo("about:blank");
        assertThat(p.path("title").asText()).as(as).isNotBlank();
        assertThat(p.path("status").asInt()).as(as).isEqualTo(r.statusCode());
        assertThat(p.path("detail").asText()).as(as).isNotBlank();
        assertThat(p.path("instance").asText()).as(as).startsWith("/");
        for (JsonNode err : p.path("errors")) {
            assertThat(err.path("field").asText()).as(as).isNotBlank();
            assertThat(err.path("message").asText()).as(as).isNotBlank();
        }
    }

    static String raw(String head) {
        return MalformedInput.raw(RestAssured.port, head);
    }
}
