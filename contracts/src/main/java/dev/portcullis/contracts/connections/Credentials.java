package dev.portcullis.contracts.connections;

/**
 * How session-proxy logs in to a target. It names where secrets are ({@code passwordFile}, {@code passwordEnv},
 * {@code privateKeyFile}, {@code tokenFile}, {@code clientKeyFile}) and never holds one: the file never carries a
 * secret inline, secrets are mounted apart (docs/architecture.md "Connections"). Fields a type does not use are
 * null.
 *
 * @param username the account on the target (postgres, ssh; basic auth for http)
 * @param passwordFile a file holding the password, re-read when a session starts
 * @param passwordEnv an environment variable holding the password
 * @param privateKeyFile ssh: the private key file
 * @param tokenFile kubernetes/http: a file holding the bearer token (a service-account token)
 * @param clientCertFile kubernetes/http: client certificate (PEM) for mutual TLS
 * @param clientKeyFile kubernetes/http: its private key (PEM)
 */
public record Credentials(
        String username,
        String passwordFile,
        String passwordEnv,
        String privateKeyFile,
        String tokenFile,
        String clientCertFile,
        String clientKeyFile) {

    /** Names the account and which kinds of secret are configured, never where they are. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Credentials[username=").append(username);
        if (passwordFile != null) {
            b.append(", password from a file");
        } else if (passwordEnv != null) {
            b.append(", password from the environment");
        }
        if (privateKeyFile != null) {
            b.append(", private key");
        }
        if (tokenFile != null) {
            b.append(", bearer token");
        }
        if (clientCertFile != null) {
            b.append(", client certificate");
        }
        return b.append(']').toString();
    }
}
