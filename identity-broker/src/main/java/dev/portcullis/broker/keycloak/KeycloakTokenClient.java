package dev.portcullis.broker.keycloak;

import dev.portcullis.broker.config.BrokerConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.client.runtime.OidcClientsConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keycloak's token endpoint, non-blocking: standard token exchange (RFC 8693, Keycloak's V2) of
 * an agent's token for a session token. The request is the Quarkus OIDC client's
 * ({@code quarkus.oidc-client.*}: grant {@code exchange}, the broker's client credentials, token
 * types and audience); this class adds the subject token and scope of each call, a time limit and
 * the broker's errors.
 *
 * <p>One OIDC client per Vert.x event loop, each a copy of that configuration. A Vert.x HTTP client
 * shares its keep-alive connections between event loops, and a request from one event loop on a
 * connection of another crosses threads four times (acquire, send, response, release): on a busy
 * machine each crossing waits for the other thread to be scheduled. A client used from one event
 * loop only opens its connections there, so a mint stays on the thread that took the request, as
 * its database query does. Off an event loop the configured client is used.
 */
@ApplicationScoped
public class KeycloakTokenClient {

    static final String SUBJECT_TOKEN = "subject_token";
    static final String SCOPE = "scope";
    private static final Logger LOG = Logger.getLogger(KeycloakTokenClient.class);

    private final OidcClient client;
    private final OidcClients clients;
    private final OidcClientConfig clientConfig;
    private final Duration timeout;
    private final Map<Thread, Uni<OidcClient>> perEventLoop = new ConcurrentHashMap<>();

    public KeycloakTokenClient(
            OidcClient client, OidcClients clients, OidcClientsConfig clientsConfig, BrokerConfig config) {
        this.client = client;
        this.clients = clients;
        this.clientConfig = OidcClientsConfig.getDefaultClient(clientsConfig);
        this.timeout = config.keycloak().timeout();
    }

    /** This event loop's client, made on its first mint; the configured one elsewhere. */
    private Uni<OidcClient> client() {
        if (!Context.isOnEventLoopThread()) {
            return Uni.createFrom().item(client);
        }
        Thread loop = Thread.currentThread();
        return perEventLoop.computeIfAbsent(
                loop,
                t -> Uni.createFrom()
                        .deferred(() -> clients.newClient(OidcClientConfig.builder(clientConfig)
                                .id("keycloak-exchange-" + t.getName())
                                .build()))
                        .onFailure()
                        .invoke(e -> perEventLoop.remove(t))
                        .memoize()
                        .indefinitely());
    }

    @PreDestroy
    void close() {
        for (Uni<OidcClient> c : perEventLoop.values()) {
            c.subscribe().with(KeycloakTokenClient::close, e -> {});
        }
    }

    private static void close(OidcClient c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debugf("closing an OIDC client: %s", e.getMessage());
        }
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
        return client().flatMap(c -> c.getTokens(Map.of(SUBJECT_TOKEN, subjectToken, SCOPE, scope)))
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
