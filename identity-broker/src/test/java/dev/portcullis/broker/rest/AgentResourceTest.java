package dev.portcullis.broker.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.KafkaTopics;
import dev.portcullis.broker.support.Tokens;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AgentResourceTest {

    @Test
    void createdAgentGetsAClientCredentialsTokenFromKeycloak() {
        String name = Agents.uniqueName("ci-runner");
        String secret = given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "team", "platform", "description", "CI runner"))
                .post("/v1/agents")
                .then()
                .statusCode(201)
                .header("Location", containsString("/v1/agents/" + name))
                .header("Cache-Control", "no-store")
                .body("agent.name", is(name))
                .body("agent.owner", is(Tokens.ADMIN))
                .body("agent.authMethod", is("client_secret"))
                .body("tokenEndpoint", is(Tokens.tokenEndpoint()))
                .extract()
                .path("clientSecret");

        JsonNode claims = Tokens.claims(Tokens.agentToken(name, secret));
        assertEquals(Tokens.issuer(), claims.get("iss").asText());
        assertEquals(name, claims.get("azp").asText());
        assertTrue(claims.get("realm_access").get("roles").toString().contains("\"agent\""), claims.toString());
        assertTrue(claims.get("aud").toString().contains("identity-broker"), "agent tokens name the broker");

        // the secret is shown once: reading the agent never returns it
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/agents/" + name)
                .then()
                .statusCode(200)
                .body("clientSecret", nullValue())
                .body("enabled", is(true));
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/agents")
                .then()
                .statusCode(200)
                .body("name", hasItem(name));
    }

    @Test
    void invalidInputIsAProblemDocument() {
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("name", "Not A Name!", "team", ""))
                .post("/v1/agents")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("errors.field", hasItem("name"))
                .body("errors.field", hasItem("team"));
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body("{not json")
                .post("/v1/agents")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/agents/no-such-agent")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("title", is("Not Found"));
    }

    @Test
    void onlyAdminsManageAgentsAndDuplicatesConflict() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "anon-agent", "team", "x"))
                .post("/v1/agents")
                .then()
                .statusCode(401);
        given().auth()
                .oauth2(Tokens.user(Tokens.APPROVER))
                .contentType(ContentType.JSON)
                .body(Map.of("name", "approver-made", "team", "x"))
                .post("/v1/agents")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        Agents.Created a = Agents.create("dup", Tokens.ADMIN);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("name", a.name(), "team", "x"))
                .post("/v1/agents")
                .then()
                .statusCode(409)
                .contentType("application/problem+json");
        // an agent reads only itself
        String token = Tokens.agentToken(a.name(), a.secret());
        given().auth().oauth2(token).get("/v1/agents/" + a.name()).then().statusCode(200);
        given().auth().oauth2(token).get("/v1/agents/demo-agent").then().statusCode(403);
        given().auth().oauth2(token).get("/v1/agents").then().statusCode(403);
    }

    @Test
    void rotatingTheSecretRetiresTheOldOne() {
        Agents.Created a = Agents.create("rotate", Tokens.ADMIN);
        String fresh = given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .post("/v1/agents/" + a.name() + "/secret")
                .then()
                .statusCode(200)
                .body("clientSecret", notNullValue())
                .extract()
                .path("clientSecret");
        Tokens.clientCredentials(a.name(), a.secret(), null).then().statusCode(401);
        Tokens.clientCredentials(a.name(), fresh, null).then().statusCode(200);
    }

    @Test
    void privateKeyJwtAgentAuthenticatesWithASignedAssertion() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair keys = gen.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes())
                        .encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        String name = Agents.uniqueName("backup");
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name",
                        name,
                        "team",
                        "storage",
                        "auth",
                        Map.of("method", "private_key_jwt", "publicKeyPem", pem)))
                .post("/v1/agents")
                .then()
                .statusCode(201)
                .body("clientSecret", nullValue())
                .body("agent.authMethod", is("private_key_jwt"));

        JwtClaims claims = new JwtClaims();
        claims.setIssuer(name);
        claims.setSubject(name);
        claims.setAudience(Tokens.issuer());
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(1);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        String assertion = jws.getCompactSerialization();

        String token = given().formParam("grant_type", "client_credentials")
                .formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .formParam("client_assertion", assertion)
                .post(Tokens.tokenEndpoint())
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
        assertEquals(name, Tokens.claims(token).get("azp").asText());

        // a secret cannot be rotated for a key-based agent
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .post("/v1/agents/" + name + "/secret")
                .then()
                .statusCode(409);
        // more than one key source is refused
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name",
                        Agents.uniqueName("bad-key"),
                        "team",
                        "x",
                        "auth",
                        Map.of(
                                "method",
                                "private_key_jwt",
                                "publicKeyPem",
                                pem,
                                "jwksUrl",
                                "https://example.com/jwks")))
                .post("/v1/agents")
                .then()
                .statusCode(422)
                .contentType("application/problem+json");
    }

    /** Keycloak fetches a jwksUrl itself: by default only https to a public address (issue 15). */
    @Test
    void aJwksUrlMustBeHttpsToAPublicAddress() {
        for (String url : List.of(
                "http://93.184.215.14/jwks",
                "https://127.0.0.1:8180/realms/portcullis/protocol/openid-connect/certs",
                "https://localhost/jwks",
                "https://169.254.169.254/latest/meta-data",
                "https://10.0.0.7/jwks",
                "https://[::1]/jwks",
                "https://[::ffff:192.168.0.1]/jwks",
                "https://user:pw@93.184.215.14/jwks",
                "https://[::1/jwks")) {
            String name = Agents.uniqueName("jwks-bad");
            given().auth()
                    .oauth2(Tokens.user(Tokens.ADMIN))
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "name", name, "team", "x", "auth", Map.of("method", "private_key_jwt", "jwksUrl", url)))
                    .post("/v1/agents")
                    .then()
                    .statusCode(422)
                    .contentType("application/problem+json")
                    .body("detail", containsString("jwksUrl"));
            // nothing was made: no agent, no Keycloak client
            given().auth()
                    .oauth2(Tokens.user(Tokens.ADMIN))
                    .get("/v1/agents/" + name)
                    .then()
                    .statusCode(404);
            Tokens.clientCredentials(name, "x", null).then().statusCode(401);
        }
        // not an http(s) URL at all: refused at the edge, naming the field
        for (String url : List.of("file:///etc/passwd", "not a url")) {
            given().auth()
                    .oauth2(Tokens.user(Tokens.ADMIN))
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "name",
                            Agents.uniqueName("jwks-bad"),
                            "team",
                            "x",
                            "auth",
                            Map.of("method", "private_key_jwt", "jwksUrl", url)))
                    .post("/v1/agents")
                    .then()
                    .statusCode(400)
                    .body("errors.field", hasItem("auth.jwksUrl"));
        }
        String name = Agents.uniqueName("jwks-ok");
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "name",
                        name,
                        "team",
                        "x",
                        "auth",
                        Map.of("method", "private_key_jwt", "jwksUrl", "https://93.184.215.14/jwks")))
                .post("/v1/agents")
                .then()
                .statusCode(201);
    }

    @Test
    void disablingAnAgentStopsItsTokensAndPublishesAgentDisabled() {
        Agents.Created a = Agents.create("disable-me", Tokens.ADMIN);
        Agents.grant(a.name(), "pg-test", "read");
        String before = Tokens.agentToken(a.name(), a.secret());

        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .contentType(ContentType.JSON)
                .body(Map.of("enabled", false))
                .patch("/v1/agents/" + a.name())
                .then()
                .statusCode(200)
                .body("enabled", is(false));

        // Keycloak refuses the agent at once, with or without a scope
        Tokens.clientCredentials(a.name(), a.secret(), null).then().statusCode(equalTo(401));
        Tokens.clientCredentials(a.name(), a.secret(), "conn:pg-test:read")
                .then()
                .statusCode(equalTo(401));
        // and the broker refuses a token it still holds
        given().auth()
                .oauth2(before)
                .contentType(ContentType.JSON)
                .body(Map.of("connection", "pg-test", "access", "read"))
                .post("/v1/tokens")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");

        KafkaTopics.Event e = KafkaTopics.await(
                Topics.IDENTITY_EVENTS,
                ev -> EventTypes.AGENT_DISABLED.equals(ev.value().path("type").asText())
                        && a.name().equals(ev.value().path("data").path("agent").asText()),
                Duration.ofSeconds(20));
        assertEquals(a.name(), e.key());
        assertEquals("1.0", e.value().get("specversion").asText());
        assertTrue(e.value().hasNonNull("id")
                && e.value().hasNonNull("source")
                && e.value().hasNonNull("time"));
        KafkaTopics.assertLikeFixture(e.value());

        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .queryParam("targetType", "agent")
                .queryParam("targetId", a.name())
                .get("/v1/audit")
                .then()
                .statusCode(200)
                .body("action", hasItem(EventTypes.AGENT_DISABLED))
                .body("actor", hasItem(Tokens.ADMIN));
    }

    @Test
    void deletingAnAgentRemovesItsKeycloakClient() {
        Agents.Created a = Agents.create("delete-me", Tokens.ADMIN);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .delete("/v1/agents/" + a.name())
                .then()
                .statusCode(204);
        Tokens.clientCredentials(a.name(), a.secret(), null).then().statusCode(401);
        given().auth()
                .oauth2(Tokens.user(Tokens.ADMIN))
                .get("/v1/agents/" + a.name())
                .then()
                .statusCode(404);
    }
}
