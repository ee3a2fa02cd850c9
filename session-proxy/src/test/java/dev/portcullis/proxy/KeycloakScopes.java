package dev.portcullis.proxy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Gives demo-agent another connection scope in the real Keycloak of the test stack, the way
 * identity-broker does (its service account, Keycloak's admin REST API): a client scope
 * {@code conn:<connection>:<access>} adding audience session-proxy, attached as an optional scope.
 * Idempotent, so every test class of the JVM may call it.
 */
public final class KeycloakScopes {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private KeycloakScopes() {}

    public static void grantDemoAgent(String connection, String access) {
        grant("demo-agent", connection, access);
    }

    /**
     * Makes {@code conn:<connection>:<access>} an optional scope of any client, so that Keycloak hands it out to that
     * client's own client credentials grant: the worst case of a service client holding a {@code conn:} scope (as the
     * broker's does for its token exchange).
     */
    public static synchronized void grant(String client, String connection, String access) {
        String scope = "conn:" + connection + ":" + access;
        String base = ProxyTestResource.stack().keycloak().url() + "/admin/realms/portcullis";
        try {
            String admin = "Bearer " + brokerToken();
            String scopeId = findScope(base, admin, scope);
            if (scopeId == null) {
                JsonObject rep = new JsonObject()
                        .put("name", scope)
                        .put("protocol", "openid-connect")
                        .put(
                                "attributes",
                                new JsonObject()
                                        .put("include.in.token.scope", "true")
                                        .put("display.on.consent.screen", "false"))
                        .put(
                                "protocolMappers",
                                new JsonArray()
                                        .add(new JsonObject()
                                                .put("name", "audience session-proxy")
                                                .put("protocol", "openid-connect")
                                                .put("protocolMapper", "oidc-audience-mapper")
                                                .put(
                                                        "config",
                                                        new JsonObject()
                                                                .put("included.client.audience", "session-proxy")
                                                                .put("access.token.claim", "true")
                                                                .put("id.token.claim", "false"))));
                HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/client-scopes"))
                        .header("Authorization", admin)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(rep.encode())));
                if (r.statusCode() != 201 && r.statusCode() != 409) {
                    throw new IllegalStateException("creating client scope " + scope + ": HTTP " + r.statusCode());
                }
                scopeId = findScope(base, admin, scope);
            }
            HttpResponse<String> clients = send(HttpRequest.newBuilder(URI.create(base + "/clients?clientId=" + client))
                    .header("Authorization", admin)
                    .GET());
            String clientId = new JsonArray(clients.body()).getJsonObject(0).getString("id");
            HttpResponse<String> put = send(HttpRequest.newBuilder(
                            URI.create(base + "/clients/" + clientId + "/optional-client-scopes/" + scopeId))
                    .header("Authorization", admin)
                    .PUT(HttpRequest.BodyPublishers.noBody()));
            if (put.statusCode() / 100 != 2) {
                throw new IllegalStateException("attaching " + scope + " to " + client + ": HTTP " + put.statusCode());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot grant " + client + " " + scope + ": " + e.getMessage(), e);
        }
    }

    /**
     * A confidential client with a service account and {@code secret}, created through the admin API as an agent is
     * (even the attribute {@code portcullis.agent=true}) but not by identity-broker: its service account has no
     * realm role {@code agent}. Idempotent.
     */
    public static synchronized void createUnmanagedClient(String client, String secret) {
        String base = ProxyTestResource.stack().keycloak().url() + "/admin/realms/portcullis";
        try {
            String admin = "Bearer " + brokerToken();
            JsonObject rep = new JsonObject()
                    .put("clientId", client)
                    .put("enabled", true)
                    .put("protocol", "openid-connect")
                    .put("publicClient", false)
                    .put("clientAuthenticatorType", "client-secret")
                    .put("secret", secret)
                    .put("serviceAccountsEnabled", true)
                    .put("standardFlowEnabled", false)
                    .put("directAccessGrantsEnabled", false)
                    .put("attributes", new JsonObject().put("portcullis.agent", "true"));
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/clients"))
                    .header("Authorization", admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(rep.encode())));
            if (r.statusCode() != 201 && r.statusCode() != 409) {
                throw new IllegalStateException("HTTP " + r.statusCode());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create client " + client + ": " + e.getMessage(), e);
        }
    }

    /** demo-agent's token for {@code scope} (which must have been granted). */
    public static String demoAgentToken(String scope) {
        return Agents.token(scope);
    }

    private static String findScope(String base, String admin, String name) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/client-scopes"))
                .header("Authorization", admin)
                .GET());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("listing client scopes: HTTP " + r.statusCode());
        }
        for (Object o : new JsonArray(r.body())) {
            JsonObject s = (JsonObject) o;
            if (name.equals(s.getString("name"))) {
                return s.getString("id");
            }
        }
        return null;
    }

    private static String brokerToken() throws Exception {
        String form = "grant_type=client_credentials&client_id=identity-broker&client_secret="
                + URLEncoder.encode("identity-broker-dev-secret", StandardCharsets.UTF_8);
        HttpResponse<String> r = send(HttpRequest.newBuilder(
                        URI.create(ProxyTestResource.stack().keycloak().issuer() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("identity-broker token: HTTP " + r.statusCode());
        }
        return new JsonObject(r.body()).getString("access_token");
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
