package dev.portcullis.recorder.rest;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.event;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sleep;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.contracts.problem.Problem;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.support.RecorderDevStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/sessions?denied=&reviewed=}: sessions with and without denials and reviews, each value of each
 * filter alone and with the others, the counts of a session still being recorded, and the values refused.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class SessionFilterTest {

    static final String AGENT = "filter-agent-" + UUID.randomUUID();
    static final Instant T0 = Instant.parse("2026-04-01T08:00:00Z");
    static final Duration FINAL = Duration.ofSeconds(60);

    /** Allowed only: no denial, no review (pg-dev). */
    static String clean;
    /** One policy denial, no review (pg-prod). */
    static String denied;
    /** One review, approved: no denial (pg-prod). */
    static String reviewed;
    /** One review, refused: a review and a denial (pg-dev). */
    static String both;

    @BeforeEach
    void recordFourSessions() {
        // once per class; not @BeforeAll, which runs before RestAssured points at the test port
        if (both != null) {
            return;
        }
        clean = newSessionId("filter");
        denied = newSessionId("filter");
        reviewed = newSessionId("filter");
        both = newSessionId("filter");
        allowedOnly(clean, AGENT, "pg-dev", T0).forEach(e -> send(Topics.SESSION_EVENTS, clean, e));
        sqlSession(denied, AGENT, "pg-prod", T0.plus(1, ChronoUnit.HOURS))
                .forEach(e -> send(Topics.SESSION_EVENTS, denied, e));
        heldSession(reviewed, AGENT, "pg-prod", T0.plus(2, ChronoUnit.HOURS), "approved")
                .forEach(e -> send(Topics.SESSION_EVENTS, reviewed, e));
        heldSession(both, AGENT, "pg-dev", T0.plus(3, ChronoUnit.HOURS), "denied")
                .forEach(e -> send(Topics.SESSION_EVENTS, both, e));
        for (String id : List.of(clean, denied, reviewed, both)) {
            assertThat(awaitFinal(id, FINAL).getString("status")).as(id).isEqualTo("complete");
        }
    }

    @Test
    void theSessionsCountTheirDenialsAndReviews() {
        Map<String, List<Long>> counts = new LinkedHashMap<>();
        JsonPath all = search(Map.of()).jsonPath();
        for (String id : List.of(clean, denied, reviewed, both)) {
            counts.put(
                    id,
                    List.of(
                            all.getLong("items.find { it.session_id == '" + id + "' }.denials"),
                            all.getLong("items.find { it.session_id == '" + id + "' }.reviews")));
        }
        assertThat(counts)
                .containsExactly(
                        Map.entry(clean, List.of(0L, 0L)),
                        Map.entry(denied, List.of(1L, 0L)),
                        Map.entry(reviewed, List.of(0L, 1L)),
                        Map.entry(both, List.of(1L, 1L)));
    }

    @Test
    void eachFilterValueSelectsItsSessions() {
        // newest first, as without the filters
        assertThat(ids(Map.of())).containsExactly(both, reviewed, denied, clean);
        assertThat(ids(Map.of("denied", "true"))).containsExactly(both, denied);
        assertThat(ids(Map.of("denied", "false"))).containsExactly(reviewed, clean);
        assertThat(ids(Map.of("reviewed", "true"))).containsExactly(both, reviewed);
        assertThat(ids(Map.of("reviewed", "false"))).containsExactly(denied, clean);
        // empty: no filter
        assertThat(ids(Map.of("denied", "", "reviewed", ""))).containsExactly(both, reviewed, denied, clean);
        // total counts the filtered sessions, not the agent's
        assertThat(search(Map.of("denied", "true")).jsonPath().getLong("total")).isEqualTo(2);
    }

    @Test
    void theFiltersCombineWithEachOtherAndTheOthers() {
        assertThat(ids(Map.of("denied", "true", "reviewed", "true"))).containsExactly(both);
        assertThat(ids(Map.of("denied", "true", "reviewed", "false"))).containsExactly(denied);
        assertThat(ids(Map.of("denied", "false", "reviewed", "true"))).containsExactly(reviewed);
        assertThat(ids(Map.of("denied", "false", "reviewed", "false"))).containsExactly(clean);
        assertThat(ids(Map.of("denied", "true", "connection", "pg-prod"))).containsExactly(denied);
        assertThat(ids(Map.of("reviewed", "true", "connection", "pg-dev"))).containsExactly(both);
        assertThat(ids(Map.of("denied", "false", "connection", "pg-prod"))).containsExactly(reviewed);
        assertThat(ids(Map.of("reviewed", "true", "status", "complete", "protocol", "postgres")))
                .containsExactly(both, reviewed);
        assertThat(ids(Map.of("reviewed", "true", "status", "incomplete"))).isEmpty();
        // active in the hour of the session with a denial and no review (a session lasts 300 ms)
        String from = T0.plus(1, ChronoUnit.HOURS).toString();
        String to = T0.plus(1, ChronoUnit.HOURS).plusMillis(150).toString();
        assertThat(ids(Map.of("denied", "true", "from", from, "to", to))).containsExactly(denied);
        assertThat(ids(Map.of("denied", "false", "from", from, "to", to))).isEmpty();
        // paged like any search
        Map<String, Object> page1 = new LinkedHashMap<>(Map.of("denied", "true", "size", 1, "page", 1));
        Response r = search(page1);
        assertThat(r.jsonPath().getList("items.session_id")).containsExactly(denied);
        assertThat(r.jsonPath().getLong("total")).isEqualTo(2);
    }

    @Test
    void anythingButTrueFalseOrEmptyIsRefusedWithTheParameterNamed() {
        for (String param : List.of("denied", "reviewed")) {
            for (String bad : List.of("yes", "no", "1", "0", "TRUE", "False", "true ", " false", " ", "t", "null")) {
                Response r = given().auth()
                        .oauth2(auditorToken())
                        .queryParam("agent", AGENT)
                        .queryParam(param, bad)
                        .get("/v1/sessions");
                String what = param + "='" + bad + "'";
                assertThat(r.statusCode()).as(what).isEqualTo(400);
                assertThat(r.contentType()).as(what).startsWith(Problem.MEDIA_TYPE);
                assertThat(r.jsonPath().getInt("status")).as(what).isEqualTo(400);
                assertThat(r.jsonPath().getString("detail")).as(what).isEqualTo("the request is not valid");
                assertThat(r.jsonPath().getList("errors.field")).as(what).containsExactly(param);
                assertThat(r.jsonPath().getList("errors.message"))
                        .as(what)
                        .containsExactly("must be true or false (lower case), or empty for any");
                // the refused value is not echoed back
                assertThat(r.asString()).as(what).doesNotContain("\"" + bad + "\"");
            }
        }
        // both wrong: both named
        Response r = given().auth()
                .oauth2(auditorToken())
                .queryParam("denied", "yes")
                .queryParam("reviewed", "1")
                .get("/v1/sessions");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.jsonPath().getList("errors.field")).containsExactly("denied", "reviewed");
    }

    @Test
    void aSessionStillBeingRecordedIsFoundByWhatItHasSoFarAndARedeliveryCountsNothing() {
        // its own agent, so that the other tests' searches never see it
        String agent = "filter-live-" + UUID.randomUUID();
        String v1 = newSessionId("filter-live");
        String v2 = newSessionId("filter-live");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> v1Events = List.of(
                event(v1, 0, EventTypes.SESSION_STARTED, t, agent, "pg-prod", "postgres", Map.of()),
                event(v1, 1, EventTypes.SESSION_REQUEST, t, agent, "pg-prod", null, Map.of("text", "DROP TABLE a")),
                event(v1, 2, EventTypes.SESSION_DECISION, t, agent, "pg-prod", null, Map.of("action", "deny")),
                event(v1, 3, EventTypes.SESSION_REQUEST, t, agent, "pg-prod", null, Map.of("text", "DELETE FROM b")),
                event(v1, 4, EventTypes.SESSION_DECISION, t, agent, "pg-prod", null, Map.of("action", "review")),
                event(
                        v1,
                        5,
                        EventTypes.SESSION_DECISION,
                        t,
                        agent,
                        "pg-prod",
                        null,
                        Map.of("action", "review", "review_id", "r-live", "state", "waiting")));
        // v2: the decision rides in the session.request
        List<String> v2Events = List.of(
                v2(event(v2, 0, EventTypes.SESSION_STARTED, t, agent, "pg-dev", "postgres", Map.of())),
                v2(event(
                        v2,
                        1,
                        EventTypes.SESSION_REQUEST,
                        t,
                        agent,
                        "pg-dev",
                        null,
                        Map.of("text", "DROP TABLE c", SessionEventFields.DECISION, Map.of("action", "deny")))));
        v1Events.forEach(e -> send(Topics.SESSION_EVENTS, v1, e));
        v2Events.forEach(e -> send(Topics.SESSION_EVENTS, v2, e));
        awaitStaged(v1, 6);
        awaitStaged(v2, 2);

        Map<String, Object> byAgent = Map.of("agent", agent, "status", "recording");
        assertThat(ids(with(byAgent, "denied", "true"))).containsExactlyInAnyOrder(v1, v2);
        assertThat(ids(with(byAgent, "denied", "false"))).isEmpty();
        assertThat(ids(with(byAgent, "reviewed", "true"))).containsExactly(v1);
        assertThat(ids(with(byAgent, "reviewed", "false"))).containsExactly(v2);
        JsonPath live = session(v1);
        assertThat(live.getString("status")).isEqualTo("recording");
        assertThat(live.getLong("denials")).isEqualTo(1);
        assertThat(live.getLong("reviews")).isEqualTo(1);

        // Kafka delivers again: nothing new is staged, nothing is counted twice
        v1Events.forEach(e -> send(Topics.SESSION_EVENTS, v1, e));
        String marker = newSessionId("filter-live-marker");
        send(
                Topics.SESSION_EVENTS,
                v1,
                event(marker, 0, EventTypes.SESSION_STARTED, t, agent, "pg-prod", "postgres", Map.of()));
        // the marker comes after the redelivery on the same partition (same key), and the recorder stages a batch
        // before it polls the next: once the marker is staged, so is the redelivery
        awaitStaged(marker, 1);
        live = session(v1);
        assertThat(live.getLong("events")).isEqualTo(6);
        assertThat(live.getLong("denials")).isEqualTo(1);
        assertThat(live.getLong("reviews")).isEqualTo(1);

        // the recording, once written, counts the same
        send(
                Topics.SESSION_EVENTS,
                v1,
                event(v1, 6, EventTypes.SESSION_ENDED, t, agent, "pg-prod", null, Map.of("reason", "client_closed")));
        JsonPath sealed = awaitFinal(v1, FINAL);
        assertThat(sealed.getString("status")).isEqualTo("complete");
        assertThat(sealed.getLong("denials")).isEqualTo(1);
        assertThat(sealed.getLong("reviews")).isEqualTo(1);
        assertThat(ids(Map.of("agent", agent, "denied", "true", "reviewed", "true")))
                .containsExactly(v1);
        send(
                Topics.SESSION_EVENTS,
                v2,
                v2(event(
                        v2, 2, EventTypes.SESSION_ENDED, t, agent, "pg-dev", null, Map.of("reason", "client_closed"))));
        sealed = awaitFinal(v2, FINAL);
        assertThat(sealed.getLong("denials")).isEqualTo(1);
        assertThat(sealed.getLong("reviews")).isZero();
        send(
                Topics.SESSION_EVENTS,
                marker,
                event(
                        marker,
                        1,
                        EventTypes.SESSION_ENDED,
                        t,
                        agent,
                        "pg-prod",
                        null,
                        Map.of("reason", "client_closed")));
        awaitFinal(marker, FINAL);
    }

    /** started, request, decision(allow), ended. */
    static List<String> allowedOnly(String id, String agent, String connection, Instant start) {
        return List.of(
                event(id, 0, EventTypes.SESSION_STARTED, start, agent, connection, "postgres", Map.of()),
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        start.plusMillis(100),
                        agent,
                        connection,
                        null,
                        Map.of("kind", "query", "text", "SELECT 1")),
                event(
                        id,
                        2,
                        EventTypes.SESSION_DECISION,
                        start.plusMillis(110),
                        agent,
                        connection,
                        null,
                        Map.of("action", "allow")),
                event(
                        id,
                        3,
                        EventTypes.SESSION_ENDED,
                        start.plusMillis(300),
                        agent,
                        connection,
                        null,
                        Map.of("reason", "client_closed")));
    }

    /** A held request as the proxy records it: the policy's review, the hold, then its outcome {@code state}. */
    static List<String> heldSession(String id, String agent, String connection, Instant start, String state) {
        return List.of(
                event(id, 0, EventTypes.SESSION_STARTED, start, agent, connection, "postgres", Map.of()),
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        start.plusMillis(100),
                        agent,
                        connection,
                        null,
                        Map.of("kind", "query", "text", "DELETE FROM orders")),
                event(
                        id,
                        2,
                        EventTypes.SESSION_DECISION,
                        start.plusMillis(110),
                        agent,
                        connection,
                        null,
                        Map.of("request_seq", 1, "action", "review")),
                event(
                        id,
                        3,
                        EventTypes.SESSION_DECISION,
                        start.plusMillis(120),
                        agent,
                        connection,
                        null,
                        Map.of("request_seq", 1, "action", "review", "review_id", id + "-r", "state", "waiting")),
                event(
                        id,
                        4,
                        EventTypes.SESSION_DECISION,
                        start.plusMillis(200),
                        agent,
                        connection,
                        null,
                        Map.of(
                                "request_seq",
                                1,
                                "action",
                                "approved".equals(state) ? "allow" : "deny",
                                "review_id",
                                id + "-r",
                                "state",
                                state)),
                event(
                        id,
                        5,
                        EventTypes.SESSION_ENDED,
                        start.plusMillis(300),
                        agent,
                        connection,
                        null,
                        Map.of("reason", "client_closed")));
    }

    static String v2(String json) {
        try {
            var root = (ObjectNode) JsonSupport.MAPPER.readTree(json);
            root.put(CloudEvent.Attr.DATASCHEMA, CloudEvent.DATASCHEMA_SESSION_V2);
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    /** This class's sessions ({@link #AGENT}) matching {@code params}, as the API lists them. */
    static List<String> ids(Map<String, ?> params) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("agent", AGENT);
        p.putAll(params);
        Response r = search(p);
        assertThat(r.statusCode()).as(params + ": " + r.asString()).isEqualTo(200);
        return r.jsonPath().getList("items.session_id", String.class);
    }

    static Response search(Map<String, ?> params) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("agent", AGENT);
        p.putAll(params);
        return given().auth().oauth2(auditorToken()).queryParams(p).get("/v1/sessions");
    }

    static JsonPath session(String id) {
        Response r = given().auth().oauth2(auditorToken()).get("/v1/sessions/{id}", id);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.jsonPath();
    }

    /** Polls until {@code events} of the session (staged so far while recording) reaches {@code n}. */
    static void awaitStaged(String id, long n) {
        long deadline = System.nanoTime() + FINAL.toNanos();
        while (true) {
            Response r = given().auth().oauth2(auditorToken()).get("/v1/sessions/{id}", id);
            if (r.statusCode() == 200 && r.jsonPath().getLong("events") >= n) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("session " + id + " has not staged " + n + " events: " + r.asString());
            }
            sleep(250);
        }
    }
}
