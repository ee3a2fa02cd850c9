package dev.portcullis.recorder.rest;

import static dev.portcullis.recorder.support.RecorderTestSupport.adminToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.agentToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.identity;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.portcullis.contracts.Topics;
import dev.portcullis.recorder.support.RecorderDevStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class SessionResourceTest {

    static final String AGENT = "search-agent-" + UUID.randomUUID();
    static final Instant T0 = Instant.parse("2026-03-01T03:12:00Z");
    static String first;
    static String second;
    static String third;
    static byte[] recording;

    @BeforeEach
    void recordThreeSessions() {
        // once per class; not @BeforeAll, which runs before RestAssured points at the test port
        if (recording != null) {
            return;
        }
        first = newSessionId("api");
        second = newSessionId("api");
        third = newSessionId("api");
        sqlSession(first, AGENT, "pg-prod", T0).forEach(e -> send(Topics.SESSION_EVENTS, first, e));
        sqlSession(second, AGENT, "pg-dev", T0.plus(1, ChronoUnit.HOURS))
                .forEach(e -> send(Topics.SESSION_EVENTS, second, e));
        List<String> gap = sqlSession(third, AGENT, "pg-dev", T0.plus(2, ChronoUnit.HOURS));
        gap.remove(3); // third is incomplete
        gap.forEach(e -> send(Topics.SESSION_EVENTS, third, e));
        for (String id : List.of(first, second, third)) {
            awaitFinal(id, Duration.ofSeconds(60));
        }
        recording = identity()
                .auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}/recording", first)
                .then()
                .statusCode(200)
                .extract()
                .asByteArray();
    }

    @Test
    void unauthenticatedRequestsGet401() {
        given().get("/v1/sessions").then().statusCode(401);
        given().get("/v1/sessions/{id}/recording", first).then().statusCode(401);
        given().get("/v1/decisions").then().statusCode(401);
        given().auth().oauth2("not-a-token").get("/v1/sessions").then().statusCode(401);
    }

    @Test
    void otherRolesGet403AndAgentsAreRefused() {
        // the recorder's own 403 text (AuditorAuthProblems), in rest-edge's mapper and in the download route
        given().auth()
                .oauth2(adminToken())
                .get("/v1/sessions")
                .then()
                .statusCode(403)
                .body("detail", equalTo("the realm role auditor is required"));
        given().auth()
                .oauth2(adminToken())
                .get("/v1/sessions/{id}/recording", first)
                .then()
                .statusCode(403)
                .body("detail", equalTo("the realm role auditor is required"));
        given().auth().oauth2(adminToken()).get("/v1/decisions").then().statusCode(403);
        // an agent token is not even for this audience (aud lacks recorder-service): refused before roles
        int agent = given().auth()
                .oauth2(agentToken())
                .get("/v1/sessions/{id}/recording", first)
                .statusCode();
        assertThat(agent).isIn(401, 403);
    }

    @Test
    void listFiltersAndPages() {
        Response all =
                given().auth().oauth2(auditorToken()).queryParam("agent", AGENT).get("/v1/sessions");
        assertThat(all.jsonPath().getLong("total")).isEqualTo(3);
        // newest first
        assertThat(all.jsonPath().getList("items.session_id")).containsExactly(third, second, first);

        Response page0 = given().auth()
                .oauth2(auditorToken())
                .queryParam("agent", AGENT)
                .queryParam("size", 2)
                .get("/v1/sessions");
        Response page1 = given().auth()
                .oauth2(auditorToken())
                .queryParam("agent", AGENT)
                .queryParam("size", 2)
                .queryParam("page", 1)
                .get("/v1/sessions");
        assertThat(page0.jsonPath().getList("items.session_id")).containsExactly(third, second);
        assertThat(page1.jsonPath().getList("items.session_id")).containsExactly(first);

        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .queryParam("agent", AGENT)
                        .queryParam("connection", "pg-dev")
                        .get("/v1/sessions")
                        .jsonPath()
                        .getList("items.session_id"))
                .containsExactlyInAnyOrder(second, third);
        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .queryParam("agent", AGENT)
                        .queryParam("status", "incomplete")
                        .get("/v1/sessions")
                        .jsonPath()
                        .getList("items.session_id"))
                .containsExactly(third);
        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .queryParam("agent", AGENT)
                        .queryParam("protocol", "postgres")
                        .get("/v1/sessions")
                        .jsonPath()
                        .getLong("total"))
                .isEqualTo(3);
        // what was active at 04:12:00.150? only the second session (04:12:00.000–04:12:00.300)
        String at = T0.plus(1, ChronoUnit.HOURS).plusMillis(150).toString();
        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .queryParam("agent", AGENT)
                        .queryParam("from", at)
                        .queryParam("to", at)
                        .get("/v1/sessions")
                        .jsonPath()
                        .getList("items.session_id"))
                .containsExactly(second);

        given().auth()
                .oauth2(auditorToken())
                .queryParam("size", 0)
                .get("/v1/sessions")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(auditorToken())
                .queryParam("from", "yesterday")
                .get("/v1/sessions")
                .then()
                .statusCode(400);
        given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}", "no-such-session")
                .then()
                .statusCode(404);
    }

    @Test
    void rangeRequestsGetPartialContent() {
        Response r = identity()
                .auth()
                .oauth2(auditorToken())
                .header("Range", "bytes=10-19")
                .get("/v1/sessions/{id}/recording", first);
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.header("Content-Range")).isEqualTo("bytes 10-19/" + recording.length);
        assertThat(r.header("Content-Length")).isEqualTo("10");
        assertThat(r.asByteArray()).isEqualTo(Arrays.copyOfRange(recording, 10, 20));

        Response tail = identity()
                .auth()
                .oauth2(auditorToken())
                .header("Range", "bytes=-7")
                .get("/v1/sessions/{id}/recording", first);
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.asByteArray()).isEqualTo(Arrays.copyOfRange(recording, recording.length - 7, recording.length));

        identity()
                .auth()
                .oauth2(auditorToken())
                .header("Range", "bytes=" + recording.length + "-")
                .get("/v1/sessions/{id}/recording", first)
                .then()
                .statusCode(416);
    }

    @Test
    void everyDownloadIsAudited() {
        identity()
                .auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}/recording", second)
                .then()
                .statusCode(200);
        identity()
                .auth()
                .oauth2(auditorToken())
                .header("Range", "bytes=0-9")
                .get("/v1/sessions/{id}/recording", second)
                .then()
                .statusCode(206);
        Response audit = given().auth().oauth2(auditorToken()).get("/v1/sessions/{id}/downloads", second);
        assertThat(audit.jsonPath().getList("username")).containsExactly("carol-auditor", "carol-auditor");
        assertThat(audit.jsonPath().getList("byte_range")).containsExactly("0-9", null);
        assertThat(audit.jsonPath().getString("[0].subject")).isNotBlank();
    }

    @Test
    void headDescribesTheRecordingWithoutABodyOrAnAuditRow() {
        Response get = identity().auth().oauth2(auditorToken()).get("/v1/sessions/{id}/recording", third);
        int auditedBefore = given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}/downloads", third)
                .jsonPath()
                .getList("$")
                .size();
        Response head = identity().auth().oauth2(auditorToken()).head("/v1/sessions/{id}/recording", third);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(get.asByteArray().length));
        assertThat(head.header("X-Portcullis-Sha256")).isNotBlank().isEqualTo(get.header("X-Portcullis-Sha256"));
        assertThat(head.header("X-Portcullis-Recording-Status")).isEqualTo("incomplete");
        assertThat(head.asByteArray()).isEmpty();
        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .get("/v1/sessions/{id}/downloads", third)
                        .jsonPath()
                        .getList("$"))
                .hasSize(auditedBefore);

        given().head("/v1/sessions/{id}/recording", third).then().statusCode(401);
        given().auth()
                .oauth2(adminToken())
                .head("/v1/sessions/{id}/recording", third)
                .then()
                .statusCode(403);
        identity()
                .auth()
                .oauth2(auditorToken())
                .head("/v1/sessions/{id}/recording", "no-such-session")
                .then()
                .statusCode(404);
    }

    @Test
    void verifyEndpointAcceptsTheOriginalAndRejectsATamperedFile() {
        given().auth()
                .oauth2(auditorToken())
                .queryParam("session", first)
                .body(recording)
                .contentType("application/x-ndjson")
                .post("/v1/recordings/verify")
                .then()
                .statusCode(200)
                .body("valid", org.hamcrest.Matchers.is(true));

        String tampered = new String(recording, StandardCharsets.UTF_8).replace("WHERE id = 1", "WHERE id = 2");
        assertThat(tampered).isNotEqualTo(new String(recording, StandardCharsets.UTF_8));
        Response r = given().auth()
                .oauth2(auditorToken())
                .body(tampered.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .post("/v1/recordings/verify");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.jsonPath().getBoolean("valid")).isFalse();
        assertThat(r.jsonPath().getList("problems", String.class)).anyMatch(p -> p.contains("hash does not match"));

        given().auth()
                .oauth2(adminToken())
                .body(recording)
                .contentType("application/x-ndjson")
                .post("/v1/recordings/verify")
                .then()
                .statusCode(403);
    }
}
