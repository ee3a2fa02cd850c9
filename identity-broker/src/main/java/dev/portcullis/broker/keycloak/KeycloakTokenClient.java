package dev.portcullis.broker.keycloak;

import dev.portcullis.broker.config.BrokerConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;

/**
 * Keycloak's token endpoint, non-blocking: standard token exchange (RFC 8693, Keycloak's V2) of
 * an agent's token for a session token. The request is the Quarkus OIDC client's
 * ({@code quarkus.oidc-client.*}: grant {@code exchange}, the broker's client credentials, token
 * types and audience); this class adds the subject token and scope of each call, a time limit and
 * the broker's errors.
 */
@ApplicationScoped
public class KeycloakTokenClient {

    static final String SUBJECT_TOKEN = "subject_token";
    static final String SCOPE = "scope";

    private final OidcClient client;
    private final Duration timeout;

    public KeycloakTokenClient(OidcClient client, BrokerConfig config) {
        this.client = client;
        this.timeout = config.keycloak().timeout();
    }

    /** Keycloak's token response; {@code accessToken} is never logged. */
    public record TokenResponse(String accessToken, long expiresIn, String scope) {
        @Override
        public String toString() {
            return "TokenResponse[expiresIn=" + expiresIn + ", scope=" + scope + "]";
        }
    }

    /**
     * Exchanges {@code subjectToken} (an agent's token whose audience names the broker) for a token
     * with exactly {@code scope} and audience session-proxy.
     */
    public Uni<TokenResponse> exchange(String subjectToken, String scope) {
        return client.getTokens(Map.of(SUBJECT_TOKEN, subjectToken, SCOPE, scope))
                .ifNoItem()
                .after(timeout)
                .failWith(() -> new KeycloakException(
                        "Keycloak gave no token exchange answer within " + timeout.toMillis() + " ms", 0, null))
                .onFailure(OidcClientException.class)
                .transform(e -> new KeycloakException(
                        "Keycloak refused the token exchange (" + error(e.getMessage()) + ")", 0, e))
                .map(KeycloakTokenClient::response);
    }

    private static TokenResponse response(Tokens t) {
        if (t.getAccessToken() == null) {
            throw new KeycloakException("Keycloak refused the token exchange (no access_token)", 0, null);
        }
        String expiresIn = t.get("expires_in");
        return new TokenResponse(
                t.getAccessToken(),
                expiresIn == null ? 0L : Long.parseLong(expiresIn),
                t.get(SCOPE) == null ? "" : t.get(SCOPE));
    }

    /**
     * Keycloak's {@code error: error_description}, from the OIDC client's message (the error body, or
     * its own words when Keycloak could not be reached).
     */
    static String error(String message) {
        if (message == null) {
            return "no JSON body";
        }
        try {
            JsonObject body = new JsonObject(message);
            return body.getString("error", "?") + ": " + body.getString("error_description", "");
        } catch (DecodeException | ClassCastException e) {
            return message;
        }
    }
}
