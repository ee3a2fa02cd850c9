package dev.portcullis.broker.support;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;

/** Talks to the real Keycloak of the dev stack the way users and agents do. */
public final class Tokens {

    public static final String ADMIN = "alice-admin";
    public static final String APPROVER = "bob-approver";
    public static final String APPROVER2 = "dave-approver";
    public static final String AUDITOR = "carol-auditor";
    private static final Map<String, String> PASSWORDS = Map.of(
            ADMIN,
            "alice-dev-password",
            APPROVER,
            "bob-dev-password",
            APPROVER2,
            "dave-dev-password",
            AUDITOR,
            "carol-dev-password");
    private static final Map<String, String> USER_TOKENS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokens() {}

    public static String keycloakUrl() {
        return ConfigProvider.getConfig().getValue("portcullis.keycloak.url", String.class);
    }

    public static String issuer() {
        return ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
    }

    public static String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    /** A human's access token (password grant on the dev CLI client), cached per test JVM. */
    public static String user(String username) {
        return USER_TOKENS.computeIfAbsent(
                username,
                u -> given().formParam("grant_type", "password")
                        .formParam("client_id", "portcullis-cli")
                        .formParam("username", u)
                        .formParam("password", PASSWORDS.get(u))
                        .post(tokenEndpoint())
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("access_token"));
    }

    /** A new access token of a human, never cached: for claims that changed in Keycloak (group membership). */
    public static String freshUser(String username) {
        return given().formParam("grant_type", "password")
                .formParam("client_id", "portcullis-cli")
                .formParam("username", username)
                .formParam("password", PASSWORDS.get(username))
                .post(tokenEndpoint())
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
    }

    /** Raw client-credentials response of an agent; {@code scope} may be null. */
    public static Response clientCredentials(String clientId, String secret, String scope) {
        var req = given().formParam("grant_type", "client_credentials")
                .formParam("client_id", clientId)
                .formParam("client_secret", secret);
        if (scope != null) {
            req = req.formParam("scope", scope);
        }
        return req.post(tokenEndpoint());
    }

    public static String agentToken(String clientId, String secret) {
        return clientCredentials(clientId, secret, null)
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
    }

    /** The decoded claims of a JWT (no verification: the tests check what Keycloak issued). */
    public static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
