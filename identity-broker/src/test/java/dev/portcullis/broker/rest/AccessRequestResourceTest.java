package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.KafkaTopics;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AccessRequestResourceTest {

    static Response ask(String token, Map<String, Object> body) {
        return given().auth()
                .oauth2(token)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/access-requests");
    }

    static Response decide(String user, String id, String decision) {
        return given().auth()
                .oauth2(Tokens.user(user))
                .contentType(ContentType.JSON)
                .body(Map.of("comment", "test " + decision))
                .post("/v1/access-requests/" + id + "/" + decision);
    }

    static Response mint(String agentToken, String connection, String access) {
        return given().auth()
                .oauth2(agentToken)
                .contentType(ContentType.JSON)
                .body(Map.of("connection", connection, "access", access))
                .post("/v1/tokens");
    }

    @Test
    void requestApprovalMintExpiryRefusedCycle() {
        Agents.Created a = Agents.create("jit", Tokens.ADMIN);
        String agentToken = Tokens.agentToken(a.name(), a.secret());
        mint(agentToken, "pg-test", "read").then().statusCode(403);

        // the agent asks for itself; 8 s is longer than one 5 s token (test lifespan)
        String id = ask(
                        agentToken,
                        Map.of(
                                "connection",
                                "pg-test",
                                "access",
                                "read",
                                "duration",
                                "PT8S",
                                "reason",
                                "nightly export"))
                .then()
                .statusCode(201)
                .body("status", is("pending"))
                .body("requiredApprovals", is(1))
                .body("requestedBy", is("agent:" + a.name()))
                .extract()
                .path("id");
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .queryParam("status", "pending")
                .get("/v1/access-requests")
                .then()
                .statusCode(200)
                .body("id", hasItem(id));

        decide(Tokens.APPROVER, id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"))
                .body("grantId", notNullValue());

        String token = mint(agentToken, "pg-test", "read")
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
        assertTrue(Arrays.asList(Tokens.claims(token).get("scope").asText().split(" "))
                .contains("conn:pg-test:read"));
        Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:read")
                .then()
                .statusCode(200);

        // the grant ends on time: the broker and Keycloak both refuse afterwards
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> mint(Tokens.agentToken(a.name(), a.secret()), "pg-test", "read")
                                .statusCode()
                        == 403);
        mint(Tokens.agentToken(a.name(), a.secret()), "pg-test", "read")
                .then()
                .statusCode(403)
                .body("detail", containsString("no active grant"));
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:read")
                                .statusCode()
                        == 400);
        KafkaTopics.Event expired = KafkaTopics.await(
                Topics.IDENTITY_EVENTS,
                ev -> EventTypes.GRANT_EXPIRED.equals(ev.value().path("type").asText())
                        && a.name().equals(ev.value().path("data").path("agent").asText()),
                Duration.ofSeconds(20));
        assertEquals(
                "conn:pg-test:read", expired.value().path("data").path("scope").asText());
        KafkaTopics.assertLikeFixture(expired.value());
    }

    @Test
    void noOneApprovesTheirOwnRequestOrTheirOwnAgents() {
        // bob owns the agent and is an approver
        Agents.Created a = Agents.create("owned", Tokens.APPROVER);
        String id = ask(
                        Tokens.user(Tokens.APPROVER),
                        Map.of(
                                "agent",
                                a.name(),
                                "connection",
                                "pg-test",
                                "access",
                                "write",
                                "duration",
                                "PT10M",
                                "reason",
                                "migration"))
                .then()
                .statusCode(201)
                .body("requestedBy", is(Tokens.APPROVER))
                .extract()
                .path("id");
        decide(Tokens.APPROVER, id, "approve").then().statusCode(403).contentType("application/problem+json");

        // asked by the agent itself: its owner still cannot approve
        String byAgent = ask(
                        Tokens.agentToken(a.name(), a.secret()),
                        Map.of("connection", "pg-test", "access", "read", "duration", "PT10M", "reason", "report"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        decide(Tokens.APPROVER, byAgent, "approve").then().statusCode(403);

        // another approver can; the request stays as it was after the refusals
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER2))
                .get("/v1/access-requests/" + id)
                .then()
                .statusCode(200)
                .body("status", is("pending"))
                .body("approvals.size()", is(0));
        decide(Tokens.APPROVER2, id, "deny")
                .then()
                .statusCode(200)
                .body("status", is("denied"))
                .body("grantId", nullValue());
        decide(Tokens.APPROVER2, id, "approve").then().statusCode(409);
    }

    @Test
    void productionNeedsTwoDistinctApprovers() {
        Agents.Created a = Agents.create("prod-job", Tokens.ADMIN);
        String id = ask(
                        Tokens.agentToken(a.name(), a.secret()),
                        Map.of("connection", "pg-prod", "access", "read", "duration", "PT30M", "reason", "incident 42"))
                .then()
                .statusCode(201)
                .body("requiredApprovals", is(2))
                .extract()
                .path("id");
        decide(Tokens.APPROVER, id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("pending"))
                .body("approvals.approver", hasItem(Tokens.APPROVER));
        decide(Tokens.APPROVER, id, "approve").then().statusCode(409);
        mint(Tokens.agentToken(a.name(), a.secret()), "pg-prod", "read").then().statusCode(403);
        decide(Tokens.APPROVER2, id, "approve")
                .then()
                .statusCode(200)
                .body("status", is("approved"))
                .body("grantId", notNullValue());
        mint(Tokens.agentToken(a.name(), a.secret()), "pg-prod", "read").then().statusCode(200);

        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .queryParam("targetType", "access-request")
                .queryParam("targetId", id)
                .get("/v1/audit")
                .then()
                .statusCode(200)
                .body("actor", hasItem(Tokens.APPROVER))
                .body("actor", hasItem(Tokens.APPROVER2));
    }

    @Test
    void anAgentNeverActsOnAnotherAndBadRequestsAreProblems() {
        Agents.Created a = Agents.create("nosy", Tokens.ADMIN);
        Agents.Created b = Agents.create("victim", Tokens.ADMIN);
        String tokenA = Tokens.agentToken(a.name(), a.secret());
        ask(
                        tokenA,
                        Map.of(
                                "agent",
                                b.name(),
                                "connection",
                                "pg-test",
                                "access",
                                "read",
                                "duration",
                                "PT1M",
                                "reason",
                                "x"))
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(tokenA)
                .get("/v1/agents/" + b.name() + "/grants")
                .then()
                .statusCode(403);
        ask(tokenA, Map.of("connection", "pg-nope", "access", "read", "duration", "PT1M", "reason", "x"))
                .then()
                .statusCode(404);
        ask(tokenA, Map.of("connection", "pg-test", "access", "admin", "duration", "PT1M", "reason", "x"))
                .then()
                .statusCode(422);
        ask(tokenA, Map.of("connection", "pg-test", "access", "read", "duration", "PT100H", "reason", "x"))
                .then()
                .statusCode(422)
                .body("detail", containsString("maximum"));
        ask(tokenA, Map.of("connection", "pg-test", "access", "read", "reason", "x"))
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        // an agent cannot approve anything
        String id = ask(tokenA, Map.of("connection", "pg-test", "access", "read", "duration", "PT1M", "reason", "x"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().auth()
                .oauth2(tokenA)
                .post("/v1/access-requests/" + id + "/approve")
                .then()
                .statusCode(403);
        // a human who neither owns the agent nor administers cannot ask for it
        ask(
                        Tokens.user(Tokens.AUDITOR),
                        Map.of(
                                "agent",
                                a.name(),
                                "connection",
                                "pg-test",
                                "access",
                                "read",
                                "duration",
                                "PT1M",
                                "reason",
                                "x"))
                .then()
                .statusCode(403);
    }
}
