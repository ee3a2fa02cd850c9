package dev.portcullis.broker.keycloak;

/**
 * How an agent authenticates to Keycloak. Exactly one of the fields is used, chosen by
 * {@link #method()}.
 */
public record AgentCredentials(Method method, String jwksUrl, String jwks) {

    public enum Method {
        /** {@code client_secret_basic}/{@code client_secret_post}; Keycloak generates the secret. */
        CLIENT_SECRET,
        /** {@code private_key_jwt} with keys fetched from a JWKS URL. */
        JWKS_URL,
        /** {@code private_key_jwt} with a JWKS document (or a PEM public key turned into one). */
        JWKS
    }

    public static AgentCredentials secret() {
        return new AgentCredentials(Method.CLIENT_SECRET, null, null);
    }

    @Override
    public String toString() {
        return "AgentCredentials[" + method + (jwksUrl != null ? " " + jwksUrl : "") + "]";
    }
}
