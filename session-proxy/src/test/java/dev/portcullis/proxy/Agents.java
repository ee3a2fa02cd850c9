package dev.portcullis.proxy;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Agent tokens from the real Keycloak of the test stack. */
public final class Agents {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Agents() {}

    /** demo-agent with {@code conn:pg-demo:read} (aud session-proxy). */
    public static String demoAgentToken() {
        return token("conn:pg-demo:read");
    }

    /**
     * demo-agent with {@code conn:pg-demo:write} ({@link ProxyTestResource} grants it): its sessions log in as
     * {@code demo_app}, the owner, so tests that must change the target use it; a read session is {@code demo_read},
     * which the database itself keeps from writing.
     */
    public static String demoAgentWriteToken() {
        return token("conn:pg-demo:write");
    }

    /** demo-agent without any conn: scope. */
    public static String tokenWithoutScope() {
        return token(null);
    }

    static String token(String scope) {
        return clientToken("demo-agent", "demo-agent-dev-secret", scope);
    }

    /** Any client's own client credentials token, {@code scope} asked for when not null. */
    public static String clientToken(String client, String secret, String scope) {
        String form = "grant_type=client_credentials&client_id=" + client + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8)
                + (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    ProxyTestResource.stack().keycloak().issuer() + "/protocol/openid-connect/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("token request of " + client + " failed: HTTP " + r.statusCode());
            }
            return new JsonObject(r.body()).getString("access_token");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims, re-encoded with {@code alg: none} and no signature. */
    public static String algNone(String token) {
        String[] parts = token.split("\\.");
        String header = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        return header + "." + parts[1] + ".";
    }

    /** Payload changed (a wider scope), signature kept: must fail signature validation. */
    public static String tampered(String token) {
        String[] parts = token.split("\\.");
        JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        claims.put("scope", claims.getString("scope") + " conn:pg-demo:admin");
        return parts[0] + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }
}
