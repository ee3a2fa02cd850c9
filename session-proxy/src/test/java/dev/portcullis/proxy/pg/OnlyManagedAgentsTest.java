package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KeycloakScopes;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's "any realm client can act as an agent": a service client's own client credentials token, even one that
 * Keycloak hands {@code conn:pg-demo:admin} (the broker's client holds every {@code conn:} scope for its token
 * exchange), is refused at login with 28P01, and the target is unchanged; a managed agent's token, and the same broker
 * client's token exchange for it, are accepted (docs/architecture.md "Tokens", ADR 0024).
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class OnlyManagedAgentsTest {

    static final String TABLE = "managed_agents_target";
    static final String ADMIN_SCOPE = "conn:" + ProxyTestResource.CONNECTION + ":admin";
    /** The realm's service clients and their dev secrets (keycloak-realm/README.md). */
    static final Map<String, String> SERVICE_CLIENTS = Map.of(
            "identity-broker", "identity-broker-dev-secret",
            "session-proxy", "session-proxy-dev-secret",
            "policy-service", "policy-service-dev-secret",
            "recorder-service", "recorder-service-dev-secret");

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    PgListener listener;

    int port;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        Target.reset(TABLE);
    }

    @Test
    void serviceClientsOwnTokensAreRefusedEvenWithAConnScope() throws Exception {
        for (Map.Entry<String, String> c : SERVICE_CLIENTS.entrySet()) {
            // the worst case: Keycloak itself hands the client the admin scope, as it does the broker's client today
            KeycloakScopes.grant(c.getKey(), ProxyTestResource.CONNECTION, "admin");
            String token = Agents.clientToken(c.getKey(), c.getValue(), ADMIN_SCOPE);
            JsonObject claims = claims(token);
            assertTrue(claims.getString("scope").contains(ADMIN_SCOPE), claims::encodePrettily);
            assertTrue(claims.getValue("aud").toString().contains("session-proxy"), claims::encodePrettily);
            assertRefused(token, c.getKey());
        }
    }

    @Test
    void aClientTheBrokerDoesNotManageIsRefused() throws Exception {
        // made through the admin API like an agent, with the agent attribute, but without the realm role agent
        KeycloakScopes.createUnmanagedClient("rogue-bot", "rogue-bot-dev-secret");
        KeycloakScopes.grant("rogue-bot", ProxyTestResource.CONNECTION, "admin");
        String token = Agents.clientToken("rogue-bot", "rogue-bot-dev-secret", ADMIN_SCOPE);
        assertTrue(claims(token).getString("scope").contains(ADMIN_SCOPE));
        assertRefused(token, "rogue-bot");
    }

    @Test
    void aManagedAgentIsAcceptedDirectlyAndThroughTheBrokersExchange() throws Exception {
        KeycloakScopes.grant("identity-broker", ProxyTestResource.CONNECTION, "admin");
        String direct = Agents.demoAgentWriteToken();
        String exchanged = exchangeAsBroker(Agents.tokenWithoutScope(), ADMIN_SCOPE);
        JsonObject claims = claims(exchanged);
        assertEquals("identity-broker", claims.getString("azp"));
        assertEquals("service-account-demo-agent", claims.getString("preferred_username"));
        for (String token : List.of(direct, exchanged)) {
            try (Connection c = PgClients.jdbc(port, token, "managed-agent");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE)) {
                rs.next();
                assertEquals(5, rs.getInt(1));
            }
        }
    }

    private void assertRefused(String token, String client) throws Exception {
        String before = Target.checksum(TABLE);
        SQLException e = assertThrows(
                SQLException.class, () -> PgClients.jdbc(port, token, "non-agent"), client + " was let in");
        assertEquals("28P01", e.getSQLState(), client);
        PgClients.Result r = PgClients.psql(port, token, "-c", "DELETE FROM " + TABLE);
        assertNotEquals(0, r.exit(), client);
        assertTrue(r.err().contains("password authentication failed"), client + ": " + r.err());
        assertEquals(before, Target.checksum(TABLE), client);
        assertEquals("5/15", Target.checksum(TABLE), client);
    }

    /** What identity-broker's POST /v1/tokens does: standard token exchange as the broker's client. */
    private static String exchangeAsBroker(String subjectToken, String scope) throws Exception {
        String form = Map.of(
                        "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange",
                        "client_id", "identity-broker",
                        "client_secret", "identity-broker-dev-secret",
                        "subject_token", subjectToken,
                        "subject_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "requested_token_type", "urn:ietf:params:oauth:token-type:access_token",
                        "audience", "session-proxy",
                        "scope", scope)
                .entrySet()
                .stream()
                .map(en -> en.getKey() + "=" + URLEncoder.encode(en.getValue(), StandardCharsets.UTF_8))
                .reduce((a, b) -> a + "&" + b)
                .orElseThrow();
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                ProxyTestResource.stack().keycloak().issuer() + "/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "token exchange");
        return new JsonObject(r.body()).getString("access_token");
    }

    private static JsonObject claims(String token) {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
