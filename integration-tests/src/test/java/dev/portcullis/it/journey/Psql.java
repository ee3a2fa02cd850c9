package dev.portcullis.it.journey;

import java.time.Duration;
import java.util.List;

/**
 * The real {@code psql} (package postgresql-client) pointed at session-proxy: {@code dbname} is the
 * connection, the password is the session token. The token goes through {@code PGPASSWORD}, never
 * the command line, where {@code ps} would show it.
 */
final class Psql {

    private Psql() {}

    /** Runs one command string through the proxy and waits for psql to exit. */
    static Client.Result run(int port, String connection, String agent, String token, String sql) {
        return start(port, connection, agent, token, sql).await(Duration.ofSeconds(90));
    }

    /** Starts psql in the background (for a statement that will be held for review). */
    static Client start(int port, String connection, String agent, String token, String sql) {
        return start(port, connection, agent, token, List.of(sql));
    }

    /** As {@link #start(int, String, String, String, String)}, each statement its own {@code -c}, in one session. */
    static Client start(int port, String connection, String agent, String token, List<String> statements) {
        // -X: no psqlrc; -A -t: bare rows; VERBOSITY=verbose: errors carry their SQLSTATE
        List<String> command = new java.util.ArrayList<>(List.of(
                "psql",
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-v",
                "VERBOSITY=verbose",
                "host=127.0.0.1 port=" + port + " dbname=" + connection + " user=" + agent + " connect_timeout=15"));
        for (String sql : statements) {
            command.add("-c");
            command.add(sql);
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PGPASSWORD", token);
        pb.environment().remove("PGSERVICE");
        pb.environment().put("PGAPPNAME", "journey-it");
        return Client.start("psql", pb);
    }
}
