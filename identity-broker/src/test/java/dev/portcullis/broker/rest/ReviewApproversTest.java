package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.ConnectionsFileResource;
import dev.portcullis.broker.support.Groups;
import dev.portcullis.broker.support.KafkaTopics;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who decides a command review (issue 15): two distinct approvers for a production connection, as for access
 * requests; and only members of a connection's approver groups, for reviews and access requests alike.
 */
@QuarkusTest
class ReviewApproversTest {

    @Inject
    BrokerConfig config;

    private static String newReview(String agent, String connection) {
        String id = "rev-" + UUID.randomUUID();
        KafkaTopics.send(Topics.REVIEW_REQUESTS, id, ReviewResourceTest.reviewRequested(id, agent, null, connection));
        ReviewResourceTest.awaitPending(id);
        return id;
    }

    private static Response decide(String token, String id, String action) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(Map.of("comment", "ticket 15"))
                .post("/v1/reviews/" + id + "/" + action);
    }

    private static Response get(String id) {
        return given().auth().oauth2(Tokens.user(Tokens.ADMIN)).get("/v1/reviews/" + id);
    }

    @Test
    void aProductionReviewNeedsTwoDistinctApprovers() {
        Agents.Created agent = Agents.create("prod-reviewed", Tokens.ADMIN);
        String id = newReview(agent.name(), "pg-prod");
        get(id).then().statusCode(200).body("required_approvals", is(2)).body("status", is("pending"));

        decide(Tokens.user(Tokens.APPROVER), id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("pending"))
                .body("approvals.approver", contains(Tokens.APPROVER))
                .body("approvals.decision", contains("approve"));
        // the same approver twice is not a second approval
        decide(Tokens.user(Tokens.APPROVER), id, "approve").then().statusCode(409);
        get(id).then().body("status", is("pending")).body("approvals.size()", is(1));

        decide(Tokens.user(Tokens.APPROVER2), id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"))
                .body("decided_by", is(Tokens.APPROVER2))
                .body("approvals.approver", contains(Tokens.APPROVER, Tokens.APPROVER2));
        // one decision on the topic, sent once the second approval came: the first alone sent none
        KafkaTopics.Event approved =
                KafkaTopics.await(Topics.REVIEW_DECISIONS, e -> id.equals(e.key()), Duration.ofSeconds(20));
        assertEquals(EventTypes.REVIEW_APPROVED, approved.value().path("type").asText());
        assertEquals(
                Tokens.APPROVER2,
                approved.value().path("data").path("decided_by").asText());
        KafkaTopics.assertLikeFixture(approved.value());
        // the audit log has both approvals
        String audit = given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .queryParam("targetType", "review")
                .queryParam("targetId", id)
                .get("/v1/audit")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertTrue(audit.contains(Tokens.APPROVER) && audit.contains(Tokens.APPROVER2), audit);
    }

    @Test
    void oneDenialEndsAProductionReview() {
        Agents.Created agent = Agents.create("prod-denied", Tokens.ADMIN);
        String id = newReview(agent.name(), "pg-prod");
        decide(Tokens.user(Tokens.APPROVER), id, "deny")
                .then()
                .statusCode(200)
                .body("status", is("denied"))
                .body("decided_by", is(Tokens.APPROVER));
        decide(Tokens.user(Tokens.APPROVER2), id, "approve").then().statusCode(409);
        KafkaTopics.Event denied =
                KafkaTopics.await(Topics.REVIEW_DECISIONS, e -> id.equals(e.key()), Duration.ofSeconds(20));
        assertEquals(EventTypes.REVIEW_DENIED, denied.value().path("type").asText());
    }

    @Test
    void aDevReviewNeedsOneApprover() {
        Agents.Created agent = Agents.create("dev-reviewed", Tokens.ADMIN);
        String id = newReview(agent.name(), "pg-test");
        get(id).then().body("required_approvals", is(1));
        decide(Tokens.user(Tokens.APPROVER), id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"));
    }

    @Test
    void onlyTheConnectionsApproverGroupDecidesItsReviews() {
        Groups.ensureMember(config, ConnectionsFileResource.APPROVER_GROUP, Tokens.APPROVER2);
        String member = Tokens.freshUser(Tokens.APPROVER2);
        assertTrue(
                Tokens.claims(member).path("groups").toString().contains(ConnectionsFileResource.APPROVER_GROUP),
                "the token carries the group: " + Tokens.claims(member).path("groups"));
        String outsider = Tokens.freshUser(Tokens.APPROVER);
        assertFalse(Tokens.claims(outsider).path("groups").toString().contains(ConnectionsFileResource.APPROVER_GROUP));

        Agents.Created agent = Agents.create("dba-reviewed", Tokens.ADMIN);
        String id = newReview(agent.name(), "pg-dba");
        for (String action : new String[] {"approve", "deny"}) {
            decide(outsider, id, action)
                    .then()
                    .statusCode(403)
                    .contentType("application/problem+json")
                    .body("detail", containsString("approver groups of connection pg-dba"));
        }
        // the refusals left nothing behind: still pending, no approval recorded
        get(id).then().statusCode(200).body("status", is("pending")).body("approvals.size()", is(0));

        decide(member, id, "approve").then().statusCode(200).body("status", is("approved"));
    }

    @Test
    void onlyTheConnectionsApproverGroupDecidesItsAccessRequests() {
        Groups.ensureMember(config, ConnectionsFileResource.APPROVER_GROUP, Tokens.APPROVER2);
        String member = Tokens.freshUser(Tokens.APPROVER2);
        String outsider = Tokens.freshUser(Tokens.APPROVER);
        Agents.Created agent = Agents.create("dba-jit", Tokens.ADMIN);
        String id = given().auth()
                .oauth2(Tokens.agentToken(agent.name(), agent.secret()))
                .contentType(ContentType.JSON)
                .body(Map.of("connection", "pg-dba", "access", "write", "duration", "PT10M", "reason", "vacuum"))
                .post("/v1/access-requests")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().auth()
                .oauth2(outsider)
                .post("/v1/access-requests/" + id + "/approve")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(member)
                .get("/v1/access-requests/" + id)
                .then()
                .statusCode(200)
                .body("status", is("pending"))
                .body("approvals.size()", is(0));
        given().auth()
                .oauth2(member)
                .post("/v1/access-requests/" + id + "/approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"));
    }
}
