package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.ControlEventKeys;
import dev.portcullis.broker.support.KafkaTopics;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.SigningKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ReviewResourceTest {

    /** What session-proxy publishes when it holds a statement. */
    static String reviewRequested(String reviewId, String agent, Instant expiresAt) {
        return reviewRequested(reviewId, agent, expiresAt, "pg-test");
    }

    static String reviewRequested(String reviewId, String agent, Instant expiresAt, String connection) {
        return """
                {"specversion":"1.0","id":"%s","source":"/portcullis/session-proxy","type":"%s",
                 "time":"%s","datacontenttype":"application/json","unknown":"ignored",
                 "data":{"review_id":"%s","session_id":"s-%s","agent":"%s","connection":"%s",
                         "request":{"protocol":"postgres","kind":"query","text":"DELETE FROM orders"},
                         "reasons":["rule delete-without-where"],"expires_at":%s,"extra":1}}
                """.formatted(
                        UUID.randomUUID(),
                        EventTypes.REVIEW_REQUESTED,
                        Instant.now(),
                        reviewId,
                        reviewId,
                        agent,
                        connection,
                        expiresAt == null ? "null" : "\"" + expiresAt + "\"");
    }

    static void awaitPending(String reviewId) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> given().auth()
                        .oauth2(Tokens.user(Tokens.APPROVER))
                        .queryParam("status", "pending")
                        .get("/v1/reviews")
                        .then()
                        .statusCode(200)
                        .extract()
                        .<List<String>>path("id")
                        .contains(reviewId));
    }

    @Test
    void approveAndDenyRoundTripThroughKafka() {
        Agents.Created agent = Agents.create("reviewed", Tokens.ADMIN);
        String approveId = "rev-" + UUID.randomUUID();
        String denyId = "rev-" + UUID.randomUUID();
        KafkaTopics.send(Topics.REVIEW_REQUESTS, approveId, reviewRequested(approveId, agent.name(), null));
        KafkaTopics.send(Topics.REVIEW_REQUESTS, denyId, reviewRequested(denyId, agent.name(), null));
        awaitPending(approveId);
        awaitPending(denyId);

        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .get("/v1/reviews/" + approveId)
                .then()
                .statusCode(200)
                .body("request.text", is("DELETE FROM orders"))
                .body("agent", is(agent.name()));

        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .contentType(ContentType.JSON)
                .body(Map.of("comment", "ok, ticket 7"))
                .post("/v1/reviews/" + approveId + "/approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"))
                .body("decided_by", is(Tokens.APPROVER));
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER2))
                .post("/v1/reviews/" + denyId + "/deny")
                .then()
                .statusCode(200)
                .body("status", is("denied"));
        // decided once only
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER2))
                .post("/v1/reviews/" + approveId + "/deny")
                .then()
                .statusCode(409);

        KafkaTopics.Event approved =
                KafkaTopics.await(Topics.REVIEW_DECISIONS, e -> approveId.equals(e.key()), Duration.ofSeconds(20));
        assertEquals(EventTypes.REVIEW_APPROVED, approved.value().path("type").asText());
        KafkaTopics.assertLikeFixture(approved.value());
        // signed by the broker's key over everything the proxy acts on; the same signature over another review's
        // approval is no signature (docs/adr/0029)
        ControlEventSignature.Result signed = ControlEventSignature.verify(ControlEventKeys.pinned(), approved.raw());
        assertEquals(EventAuth.Verdict.AUTHENTIC, signed.verdict());
        assertEquals(SigningKeys.keyId(ControlEventKeys.pair().getPublic()), signed.keyId());
        assertTrue(approved.raw().contains(",\"signature\":\"" + signed.keyId() + ":"), approved.raw());
        assertEquals(
                EventAuth.Verdict.FORGED,
                ControlEventSignature.verify(
                                ControlEventKeys.pinned(), approved.raw().replace(approveId, denyId))
                        .verdict());
        assertEquals(
                Tokens.APPROVER,
                approved.value().path("data").path("decided_by").asText());
        assertEquals(
                "s-" + approveId,
                approved.value().path("data").path("session_id").asText());
        KafkaTopics.Event denied =
                KafkaTopics.await(Topics.REVIEW_DECISIONS, e -> denyId.equals(e.key()), Duration.ofSeconds(20));
        assertEquals(EventTypes.REVIEW_DENIED, denied.value().path("type").asText());
        KafkaTopics.assertLikeFixture(denied.value());

        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .queryParam("status", "pending")
                .get("/v1/reviews")
                .then()
                .statusCode(200)
                .body("id", not(hasItem(approveId)));
    }

    /**
     * The session so far and the policy's rule ids, as session-proxy sent them, come back with the review — in the list
     * and alone — as data (an XSS string stays a string); a review requested without them (an older proxy) has
     * neither.
     */
    @Test
    void theSessionSoFarAndTheRuleIdsComeBackWithTheReview() {
        Agents.Created agent = Agents.create("history-review", Tokens.ADMIN);
        String id = "rev-" + UUID.randomUUID();
        String xss = "SELECT '<img src=x onerror=alert(1)>' AS \\\"</li><script>alert(2)</script>\\\"";
        String withHistory = reviewRequested(id, agent.name(), null).replace("\"extra\":1", """
                        "rules":["bulk-change-review","prod-writes"],"request_seq":7,
                        "history":[{"seq":3,"request":"SELECT count(*) FROM cards WHERE pan = '[REDACTED]'","action":"allow"},
                                   {"seq":5,"request":"%s","action":"deny"},
                                   {"seq":6,"request":"whoami"}],"extra":1""".formatted(xss));
        String without = "rev-" + UUID.randomUUID();
        KafkaTopics.send(Topics.REVIEW_REQUESTS, id, withHistory);
        KafkaTopics.send(Topics.REVIEW_REQUESTS, without, reviewRequested(without, agent.name(), null));
        awaitPending(id);
        awaitPending(without);

        String unescapedXss = xss.replace("\\\"", "\"");
        for (String path : List.of("/v1/reviews/" + id, "/v1/reviews")) {
            String prefix = path.endsWith(id) ? "" : "find { it.id == '" + id + "' }.";
            given().auth()
                    .oauth2(Tokens.user(Tokens.APPROVER))
                    .queryParams(path.endsWith(id) ? Map.of() : Map.of("status", "pending"))
                    .get(path)
                    .then()
                    .statusCode(200)
                    .body(prefix + "rules", is(List.of("bulk-change-review", "prod-writes")))
                    .body(prefix + "reasons", is(List.of("rule delete-without-where")))
                    .body(prefix + "history.seq", is(List.of(3, 5, 6)))
                    .body(
                            prefix + "history.request",
                            is(List.of("SELECT count(*) FROM cards WHERE pan = '[REDACTED]'", unescapedXss, "whoami")))
                    .body(prefix + "history[0].action", is("allow"))
                    .body(prefix + "history[1].action", is("deny"))
                    .body(prefix + "history[2]", not(hasKey("action")));
        }
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .get("/v1/reviews/" + without)
                .then()
                .statusCode(200)
                .body("request.text", is("DELETE FROM orders"))
                .body("$", not(hasKey("history")))
                .body("$", not(hasKey("rules")));
    }

    @Test
    void onlyApproversDecideAndOwnersNotTheirOwnAgents() {
        Agents.Created agent = Agents.create("owned-review", Tokens.APPROVER);
        String id = "rev-" + UUID.randomUUID();
        KafkaTopics.send(Topics.REVIEW_REQUESTS, id, reviewRequested(id, agent.name(), null));
        awaitPending(id);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .post("/v1/reviews/" + id + "/approve")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(Tokens.agentToken(agent.name(), agent.secret()))
                .post("/v1/reviews/" + id + "/approve")
                .then()
                .statusCode(403);
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .post("/v1/reviews/" + id + "/approve")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER2))
                .post("/v1/reviews/" + id + "/approve")
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .get("/v1/reviews/nope")
                .then()
                .statusCode(404);
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .queryParam("status", "bogus")
                .get("/v1/reviews")
                .then()
                .statusCode(400);
    }

    @Test
    void anUndecidedReviewExpiresAndSaysSo() {
        Agents.Created agent = Agents.create("slow-review", Tokens.ADMIN);
        String id = "rev-" + UUID.randomUUID();
        KafkaTopics.send(
                Topics.REVIEW_REQUESTS,
                id,
                reviewRequested(id, agent.name(), Instant.now().plusSeconds(3)));
        KafkaTopics.Event expired =
                KafkaTopics.await(Topics.REVIEW_DECISIONS, e -> id.equals(e.key()), Duration.ofSeconds(30));
        assertEquals(EventTypes.REVIEW_EXPIRED, expired.value().path("type").asText());
        KafkaTopics.assertLikeFixture(expired.value());
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER2))
                .post("/v1/reviews/" + id + "/approve")
                .then()
                .statusCode(409);
    }
}
