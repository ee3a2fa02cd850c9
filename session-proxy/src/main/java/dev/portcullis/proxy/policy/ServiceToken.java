package dev.portcullis.proxy.policy;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.TokensHelper;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * session-proxy's own bearer token for policy-service: a client_credentials token from the Quarkus
 * OIDC client ({@code quarkus.oidc-client.*}, derived from {@code portcullis.policy.*}). Quarkus's
 * {@link TokensHelper} keeps it and fetches a new one {@code refresh-token-time-skew} before it
 * expires, one fetch shared by every caller meanwhile; a decision never waits for a token it
 * already has. The one thing added here is a time limit: the OIDC client sets none on the token
 * request, and the shared fetch of a token endpoint that accepts but never answers would otherwise
 * hold every later decision. The token is never logged.
 */
final class ServiceToken {

    private final OidcClient client;
    private final TokensHelper tokens = new TokensHelper();

    ServiceToken(OidcClient client, Duration timeout) {
        this.client = new TimeLimited(client, timeout);
    }

    /** The access token, cached or fetched now; fails when the token endpoint refuses or is too slow. */
    CompletionStage<String> get() {
        return tokens.getTokens(client).map(Tokens::getAccessToken).subscribeAsCompletionStage();
    }

    /** Every token request of {@code delegate} fails after {@code timeout}, which ends the shared fetch. */
    private record TimeLimited(OidcClient delegate, Duration timeout) implements OidcClient {

        private <T> Uni<T> limited(Uni<T> call) {
            return call.ifNoItem()
                    .after(timeout)
                    .failWith(() -> new OidcClientException(
                            "token endpoint gave no answer within " + timeout.toMillis() + " ms"));
        }

        @Override
        public Uni<Tokens> getTokens(Map<String, String> additionalGrantParameters) {
            return limited(delegate.getTokens(additionalGrantParameters));
        }

        @Override
        public Uni<Tokens> refreshTokens(String refreshToken, Map<String, String> additionalGrantParameters) {
            return limited(delegate.refreshTokens(refreshToken, additionalGrantParameters));
        }

        @Override
        public Uni<Boolean> revokeAccessToken(String accessToken, Map<String, String> additionalParameters) {
            return limited(delegate.revokeAccessToken(accessToken, additionalParameters));
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }

        @Override
        public String toString() {
            return "TimeLimited[" + timeout + "]";
        }
    }
}
