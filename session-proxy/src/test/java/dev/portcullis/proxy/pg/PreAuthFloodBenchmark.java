package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (its name keeps it out of {@code verify}): what {@code bench.sockets} (10,000) idle
 * sockets opened as fast as possible against the PostgreSQL listener achieve with the default budget (64
 * unauthenticated connections): how many the proxy holds, how long the flood takes, whether a logged-in agent keeps
 * working during it and whether a new login gets in. Run: {@code ./mvnw -pl session-proxy -am test
 * -Dtest=PreAuthFloodBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PreAuthFloodBenchmark {

    @Inject
    PgListener listener;

    @Inject
    SessionRegistry registry;

    @Test
    void tenThousandIdleSockets() throws Exception {
        int port = listener.actualPort();
        int n = Integer.getInteger("bench.sockets", 10_000);
        List<Socket> sockets = new ArrayList<>(n);
        try (Connection agent = PgClients.jdbc(port, Agents.demoAgentToken(), "flood-bystander");
                Statement st = agent.createStatement()) {
            st.execute("SELECT 1");
            long t0 = System.nanoTime();
            int connectFailures = 0;
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    sockets.add(s);
                } catch (java.io.IOException e) {
                    connectFailures++;
                    s.close();
                }
            }
            double floodSeconds = (System.nanoTime() - t0) / 1e9;
            int held = registry.openUnauthenticated("postgres");
            long q0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                st.execute("SELECT 1");
            }
            double bystanderMs = (System.nanoTime() - q0) / 1e6 / 100;
            String newLogin;
            try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "flood-newcomer")) {
                newLogin = "logged in";
            } catch (SQLException e) {
                newLogin = "refused " + e.getSQLState() + " (" + e.getMessage() + ")";
            }
            System.out.printf(
                    "flood: %d sockets opened in %.2f s (%d connect failures); unauthenticated held by the proxy: %d;"
                            + " a logged-in agent's SELECT 1 meanwhile: %.2f ms; a new login meanwhile: %s%n",
                    n, floodSeconds, connectFailures, held, bystanderMs, newLogin);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        long w0 = System.nanoTime();
        while (registry.openUnauthenticated("postgres") > 0 && System.nanoTime() - w0 < 30_000_000_000L) {
            Thread.sleep(20);
        }
        try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "flood-after")) {
            System.out.printf(
                    "flood over: slots back after %.2f s, a new login works%n", (System.nanoTime() - w0) / 1e9);
        }
    }
}
