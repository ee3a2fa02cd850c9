package dev.portcullis.it.journey;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real tokens from the suite's Keycloak (realm {@code portcullis}): dev users through the public
 * {@code portcullis-cli} client (password grant) and agents through client_credentials.
 *
 * <p>Brute-force protection locks a user after two wrong passwords less than a second apart, so this
 * class only ever sends the realm's correct dev passwords, and caches user tokens while they are valid.
 */
final class Keycloak {

    static final String ADMIN = "alice-admin";
    static final String APPROVER = "bob-approver";
    static final String SECOND_APPROVER = "dave-approver";
    static final String AUDITOR = "carol-auditor";

    /** DEV-ONLY passwords published in keycloak-realm/README.md. */
    static final Map<String, String> DEV_PASSWORDS = Map.of(
            ADMIN, "alice-dev-password",
            APPROVER, "bob-dev-password",
            SECOND_APPROVER, "dave-dev-password",
            AUDITOR, "carol-dev-password");

    private record Cached(String token, long expiresAtNanos) {}

    private final String tokenEndpoint;
    private final Map<String, Cached> users = new ConcurrentHashMap<>();

    Keycloak(String keycloakUrl) {
        this.tokenEndpoint = keycloakUrl + "/realms/portcullis/protocol/openid-connect/token";
    }

    String tokenEndpoint() {
        return tokenEndpoint;
    }

    /** An access token of a dev user (portcullis-admin, approver or auditor). */
    String user(String username) {
        Cached c = users.get(username);
        if (c != null && c.expiresAtNanos() - System.nanoTime() > 30_000_000_000L) {
            return c.token();
        }
        String password = DEV_PASSWORDS.get(username);
        if (password == null) {
            throw new IllegalArgumentException("not a dev user of the realm: " + username);
        }
        JsonNode r = Http.form(
                        tokenEndpoint,
                        Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "portcullis-cli",
                                "username",
                                username,
                                "password",
                                password))
                .expect(200)
                .json();
        String token = r.path("access_token").asText();
        users.put(
                username,
                new Cached(token, System.nanoTime() + r.path("expires_in").asLong(60) * 1_000_000_000L));
        return token;
    }

    /** The raw client_credentials answer for an agent (200 with a token, or Keycloak's refusal). */
    Http.Response clientCredentials(String clientId, String secret, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        form.put("client_id", clientId);
        form.put("client_secret", secret);
        if (scope != null) {
            form.put("scope", scope);
        }
        return Http.form(tokenEndpoint, form);
    }

    /** An agent's own token (audience identity-broker), to call the broker with. */
    String agent(String clientId, String secret) {
        return clientCredentials(clientId, secret, null)
                .expect(200)
                .json()
                .path("access_token")
                .asText();
    }

    /** The claims of a JWT, decoded without verification (the services verify; the test only reads). */
    static JsonNode claims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            throw new AssertionError("not a JWT (" + parts.length + " parts)");
        }
        try {
            return Http.JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError("JWT payload is not JSON", e);
        }
    }
}
