package dev.portcullis.broker.keycloak;

import dev.portcullis.broker.config.BrokerConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.MultiMap;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keycloak's token endpoint, non-blocking: standard token exchange (RFC 8693, Keycloak's V2) of
 * an agent's token for a session token.
 */
@ApplicationScoped
public class KeycloakTokenClient {

    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

    private final WebClient client;
    private final BrokerConfig.Keycloak config;
    private final String tokenPath;
    private final String host;
    private final int port;
    private final boolean ssl;

    public KeycloakTokenClient(Vertx vertx, BrokerConfig config) {
        this.config = config.keycloak();
        java.net.URI base = java.net.URI.create(this.config.url());
        this.ssl = "https".equals(base.getScheme());
        this.host = base.getHost();
        this.port = base.getPort() > 0 ? base.getPort() : (ssl ? 443 : 80);
        String prefix = base.getPath() == null ? "" : base.getPath().replaceAll("/$", "");
        this.tokenPath = prefix + "/realms/" + this.config.realm() + "/protocol/openid-connect/token";
        this.client = WebClient.create(
                vertx,
                new WebClientOptions().setMaxPoolSize(64).setKeepAlive(true).setConnectTimeout((int)
                        this.config.timeout().toMillis()));
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
        MultiMap form = MultiMap.caseInsensitiveMultiMap()
                .add("grant_type", TOKEN_EXCHANGE)
                .add("client_id", config.clientId())
                .add("client_secret", config.clientSecret())
                .add("subject_token", subjectToken)
                .add("subject_token_type", ACCESS_TOKEN_TYPE)
                .add("requested_token_type", ACCESS_TOKEN_TYPE)
                .add("scope", scope)
                .add("audience", config.sessionAudience());
        return client.post(port, host, tokenPath)
                .ssl(ssl)
                .timeout(config.timeout().toMillis())
                .sendForm(form)
                .map(r -> {
                    JsonObject body;
                    try {
                        body = r.bodyAsJsonObject();
                    } catch (RuntimeException e) {
                        body = null;
                    }
                    if (r.statusCode() != 200 || body == null || body.getString("access_token") == null) {
                        String error = body == null
                                ? "no JSON body"
                                : body.getString("error", "?") + ": " + body.getString("error_description", "");
                        throw new KeycloakException(
                                "Keycloak refused the token exchange (" + error + ")", r.statusCode(), null);
                    }
                    return new TokenResponse(
                            body.getString("access_token"),
                            body.getLong("expires_in", 0L),
                            body.getString("scope", ""));
                });
    }

    @PreDestroy
    void close() {
        client.close();
    }
}
