package dev.portcullis.broker.service;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.Connection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an agent's unchanged client (psql, JDBC, ssh, kubectl, curl) reaches a connection through session-proxy: what
 * a minted token's answer carries ({@code connection}) and what an admin's view of the agent shows
 * ({@code GET /v1/agents/{name}/connection-hints}). Built from the connections file and the proxy's public addresses
 * only: never a token, a secret or a backend credential.
 */
@ApplicationScoped
public class ConnectionHints {

    private final BrokerConfig config;

    public ConnectionHints(BrokerConfig config) {
        this.config = config;
    }

    /** How the agent's unchanged client reaches the connection through session-proxy; never a secret. */
    public Map<String, Object> of(Connection c, String agent) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("name", c.name());
        h.put("type", c.type());
        BrokerConfig.Tokens t = config.tokens();
        switch (c.type() == null ? "" : c.type()) {
            case "postgres" -> {
                String host = t.proxyPgHost();
                int port = t.proxyPgPort();
                h.put(
                        "psql",
                        "psql \"host=" + host + " port=" + port + " dbname=" + c.name() + " user=" + agent
                                + " sslmode=prefer\"");
                h.put("jdbc_url", "jdbc:postgresql://" + host + ":" + port + "/" + c.name() + "?user=" + agent);
                h.put("password", "the access_token (PGPASSWORD)");
            }
            case "ssh" -> {
                // OpenSSH splits user@host at the last @: the user is <agent>@<connection>
                h.put("ssh", "ssh -p " + t.proxySshPort() + " " + agent + "@" + c.name() + "@" + t.proxySshHost());
                h.put(
                        "password",
                        "the access_token; OpenSSH cuts a secret at 1023 characters, so the proxy asks"
                                + " for it in 4 keyboard-interactive parts of at most 1000 (see session-proxy's README)");
            }
            case "kubernetes", "http" -> {
                String base = t.proxyHttpUrl();
                String server = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/" + c.name();
                h.put("server", server);
                h.put(
                        "kubernetes".equals(c.type()) ? "kubectl" : "curl",
                        "kubernetes".equals(c.type())
                                ? "kubectl --server=" + server + " --token=\"$TOKEN\" get pods"
                                : "curl -H \"Authorization: Bearer $TOKEN\" " + server + "/");
                h.put("token", "the access_token (Authorization: Bearer)");
            }
            default -> {}
        }
        return h;
    }
}
