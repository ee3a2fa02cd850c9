package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TokenResourceTest {

    @ConfigProperty(name = "portcullis.tokens.lifespan")
    Duration lifespan;

    static Response mint(String agentToken, Map<String, Object> body) {
        return given().auth()
                .oauth2(agentToken)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/v1/tokens");
    }

    static List<String> scopes(JsonNode claims) {
        return Arrays.asList(claims.get("scope").asText().split(" "));
    }

    @Test
    void mintedTokenHasRealmIssuerSessionProxyAudienceOneConnScopeAndShortExpiry() {
        Agents.Created a = Agents.create("minter", Tokens.ADMIN);
        Agents.grant(a.name(), "pg-test", "read");
        String agentToken = Tokens.agentToken(a.name(), a.secret());

        Response r = mint(agentToken, Map.of("connection", "pg-test", "access", "read"));
        r.then()
                .statusCode(200)
                .header("Cache-Control", "no-store")
                .body("token_type", is("Bearer"))
                .body("scope", containsString("conn:pg-test:read"))
                .body("connection.psql", containsString("dbname=pg-test"))
                .body("connection.psql", containsString("user=" + a.name()))
                .body("connection.psql", not(containsString(a.secret())));
        String token = r.path("access_token");
        JsonNode claims = Tokens.claims(token);

        assertEquals(Tokens.issuer(), claims.get("iss").asText());
        JsonNode aud = claims.get("aud");
        List<String> audiences = aud.isArray()
                ? Arrays.asList(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(aud, String[].class))
                : List.of(aud.asText());
        assertEquals(List.of("session-proxy"), audiences, "audience narrowed to session-proxy");
        assertEquals(
                List.of("conn:pg-test:read"),
                scopes(claims).stream().filter(s -> s.startsWith("conn:")).toList(),
                "exactly one conn: scope");
        long life = claims.get("exp").asLong() - claims.get("iat").asLong();
        assertEquals(lifespan.toSeconds(), life, "token lives the configured lifespan");
        assertTrue(life <= 300, "a lifetime of minutes at most");
        assertEquals(
                "service-account-" + a.name(), claims.get("preferred_username").asText());
        assertEquals(
                Tokens.claims(agentToken).get("sub").asText(),
                claims.get("sub").asText(),
                "sub is the agent's service account");
        assertEquals(life, r.<Integer>path("expires_in").longValue());
        // what session-proxy requires of an agent (docs/architecture.md "Tokens"): the realm role agent, which the
        // exchange carries over from the agent's service account, and azp the broker
        assertTrue(claims.path("realm_access").path("roles").toString().contains("\"agent\""), claims::toString);
        assertEquals("identity-broker", claims.get("azp").asText());
    }

    /** The broker's own client holds every conn: scope (the exchange needs it), but its account is no agent. */
    @Test
    void theBrokersOwnClientTokenHasNoAgentRole() {
        String own = Tokens.clientCredentials("identity-broker", "identity-broker-dev-secret", "conn:pg-prod:admin")
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
        JsonNode claims = Tokens.claims(own);
        assertTrue(scopes(claims).contains("conn:pg-prod:admin"), claims::toString);
        assertEquals(
                "service-account-identity-broker",
                claims.get("preferred_username").asText());
        assertFalse(claims.path("realm_access").path("roles").toString().contains("\"agent\""), claims::toString);
    }

    @Test
    void sshAndKubernetesTokensComeWithHintsForTheirOwnClientsAndNoSecret() {
        Agents.Created a = Agents.create("hinted", Tokens.ADMIN);
        Agents.grant(a.name(), "ssh-test", "read");
        Agents.grant(a.name(), "k8s-test", "read");
        String agentToken = Tokens.agentToken(a.name(), a.secret());

        Response ssh = mint(agentToken, Map.of("connection", "ssh-test", "access", "read"));
        ssh.then()
                .statusCode(200)
                .body("scope", containsString("conn:ssh-test:read"))
                .body("connection.type", is("ssh"))
                .body("connection.ssh", is("ssh -p 2222 " + a.name() + "@ssh-test@127.0.0.1"))
                .body("connection.password", containsString("access_token"))
                .body("connection.psql", org.hamcrest.Matchers.nullValue());
        Response kube = mint(agentToken, Map.of("connection", "k8s-test", "access", "read"));
        kube.then()
                .statusCode(200)
                .body("connection.server", is("http://127.0.0.1:8084/k8s-test"))
                .body("connection.kubectl", containsString("--server=http://127.0.0.1:8084/k8s-test"));
        for (Response r : List.of(ssh, kube)) {
            String hints = r.path("connection").toString();
            assertFalse(hints.contains(a.secret()), "no client secret in the hints");
            assertFalse(hints.contains(r.<String>path("access_token")), "the hints name the token, never hold it");
        }
    }

    @Test
    void withoutAGrantTheBrokerRefusesAndKeycloakDoesNotIssueTheScope() {
        Agents.Created a = Agents.create("ungranted", Tokens.ADMIN);
        String agentToken = Tokens.agentToken(a.name(), a.secret());

        mint(agentToken, Map.of("connection", "pg-test", "access", "write"))
                .then()
                .statusCode(403)
                .contentType("application/problem+json")
                .body("detail", containsString("no active grant"));

        // asking Keycloak directly for the scope does not yield it
        Response direct = Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:write");
        if (direct.statusCode() == 200) {
            assertFalse(scopes(Tokens.claims(direct.path("access_token"))).contains("conn:pg-test:write"));
        } else {
            assertEquals(400, direct.statusCode());
            assertEquals("invalid_scope", direct.path("error"));
        }
    }

    /**
     * The console's agent page shows how the agent connects: the hints a minted token carries, per connection it holds
     * an active grant on, with the levels granted — to admins, approvers and the agent itself, never to another agent
     * or an auditor; no token is minted and no secret returned; a revoked grant's connection is gone.
     */
    @Test
    void connectionHintsListTheActiveGrantsConnectionsWithoutMintingOrSecrets() {
        Agents.Created a = Agents.create("hints-view", Tokens.ADMIN);
        Agents.grant(a.name(), "pg-test", "read");
        Agents.grant(a.name(), "pg-test", "write");
        String sshGrant = Agents.grant(a.name(), "ssh-test", "read");
        String path = "/v1/agents/" + a.name() + "/connection-hints";

        Response r = given().auth().oauth2(Tokens.user(Tokens.ADMIN)).get(path);
        r.then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.contains("pg-test", "ssh-test"))
                .body("[0].access", org.hamcrest.Matchers.contains("read", "write"))
                .body("[0].psql", containsString("dbname=pg-test"))
                .body("[0].psql", containsString("user=" + a.name()))
                .body("[1].ssh", containsString(a.name() + "@ssh-test@"))
                .body("[1].access", org.hamcrest.Matchers.contains("read"));
        assertFalse(r.asString().contains(a.secret()), "no secret in the hints");
        assertFalse(r.asString().contains("access_token\""), "no token in the hints");

        given().auth().oauth2(Tokens.user(Tokens.APPROVER)).get(path).then().statusCode(200);
        given().auth()
                .oauth2(Tokens.agentToken(a.name(), a.secret()))
                .get(path)
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.contains("pg-test", "ssh-test"));
        Agents.Created other = Agents.create("hints-other", Tokens.ADMIN);
        given().auth()
                .oauth2(Tokens.agentToken(other.name(), other.secret()))
                .get(path)
                .then()
                .statusCode(403);
        given().auth().oauth2(Tokens.user(Tokens.AUDITOR)).get(path).then().statusCode(403);
        given().get(path).then().statusCode(401);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/agents/no-such-agent-xyz/connection-hints")
                .then()
                .statusCode(404);

        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .delete("/v1/grants/" + sshGrant)
                .then()
                .statusCode(200);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get(path)
                .then()
                .statusCode(200)
                .body("name", org.hamcrest.Matchers.contains("pg-test"));
    }

    @Test
    void revokingAGrantTakesTheScopeAwayInKeycloak() {
        Agents.Created a = Agents.create("revoked", Tokens.ADMIN);
        String grantId = Agents.grant(a.name(), "pg-test", "write");
        // while the grant lasts, Keycloak itself issues the scope to the agent
        String direct = Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:write")
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
        assertTrue(scopes(Tokens.claims(direct)).contains("conn:pg-test:write"));

        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .delete("/v1/grants/" + grantId)
                .then()
                .statusCode(200)
                .body("status", is("revoked"));

        Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:write")
                .then()
                .statusCode(400);
        mint(Tokens.agentToken(a.name(), a.secret()), Map.of("connection", "pg-test", "access", "write"))
                .then()
                .statusCode(403);
        KafkaTopics.Event e = KafkaTopics.await(
                Topics.IDENTITY_EVENTS,
                ev -> grantId.equals(ev.key())
                        && EventTypes.GRANT_REVOKED.equals(
                                ev.value().path("type").asText()),
                Duration.ofSeconds(20));
        assertEquals("conn:pg-test:write", e.value().path("data").path("scope").asText());
        KafkaTopics.assertLikeFixture(e.value());
        KafkaTopics.Event created = KafkaTopics.await(
                Topics.IDENTITY_EVENTS,
                ev -> grantId.equals(ev.key())
                        && EventTypes.GRANT_CREATED.equals(
                                ev.value().path("type").asText()),
                Duration.ofSeconds(20));
        KafkaTopics.assertLikeFixture(created.value());
    }

    @Test
    void unknownConnectionOrAccessAndOversizedTtlAreReported() {
        Agents.Created a = Agents.create("bad-input", Tokens.ADMIN);
        Agents.grant(a.name(), "pg-test", "read");
        String agentToken = Tokens.agentToken(a.name(), a.secret());

        mint(agentToken, Map.of("connection", "nope", "access", "read"))
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        mint(agentToken, Map.of("connection", "pg-test", "access", "admin"))
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
        mint(agentToken, Map.of("connection", "pg-test"))
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        mint(agentToken, Map.of("connection", "pg-test", "access", "read", "ttl", 86_400))
                .then()
                .statusCode(200)
                .body("notice", containsString("clamped"))
                .body("expires_in", is((int) lifespan.toSeconds()));
    }

    @Test
    void onlyAnAgentsOwnTokenMints() {
        mint(Tokens.user(Tokens.ADMIN), Map.of("connection", "pg-test", "access", "read"))
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().contentType(ContentType.JSON)
                .body(Map.of("connection", "pg-test", "access", "read"))
                .post("/v1/tokens")
                .then()
                .statusCode(401);
        given().auth()
                .oauth2("not-a-jwt")
                .contentType(ContentType.JSON)
                .body(Map.of("connection", "pg-test", "access", "read"))
                .post("/v1/tokens")
                .then()
                .statusCode(401);
    }
}
