package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a large result must not make the proxy buffer it: the proxy stops
 * reading the backend, so PostgreSQL itself waits to write (wait event {@code ClientWrite}) for as
 * long as the client does not read, while other sessions are served; once the client reads, every
 * row arrives.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class BackPressureTest {

    /**
     * About 50 MB: far more than the socket buffers on the way hold, little enough that a proxy
     * without back-pressure has read all of it (and PostgreSQL is idle) well before the last sample.
     */
    private static final int ROWS = 50_000;

    @Inject
    PgListener listener;

    @Test
    void aClientThatStopsReadingPausesTheBackendAndLosesNothing() throws Exception {
        int port = listener.actualPort();
        String token = Agents.demoAgentToken();
        try (PgWire slow = PgWire.login(port, token, "bp-slow")) {
            slow.query("SELECT repeat('x', 1000) FROM generate_series(1, " + ROWS + ")")
                    .send();
            // PostgreSQL is held back: it waits to write, sample after sample, while nobody reads
            List<String> samples = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Thread.sleep(750);
                samples.add(waitEvent("bp-slow"));
            }
            assertEquals(
                    List.of("ClientWrite", "ClientWrite", "ClientWrite", "ClientWrite"),
                    samples.subList(12, 16),
                    () -> "the backend's wait events while the client did not read: " + samples);

            // everyone else is still served
            PgClients.Result served = PgClients.psql(port, token, "-c", "SELECT 40 + 2");
            assertEquals(0, served.exit(), served.err());
            assertEquals("42", served.out().strip());

            // and the slow client gets every row once it reads
            long rows = 0;
            PgWire.Msg m;
            while ((m = slow.read()).type() != 'Z') {
                if (m.type() == 'D') {
                    rows++;
                } else {
                    PgWire.Msg other = m;
                    assertTrue("TCSN".indexOf(other.type()) >= 0, () -> "unexpected message " + other);
                }
            }
            assertEquals(ROWS, rows);
        }
    }

    private static String waitEvent(String applicationName) throws SQLException {
        try (Connection c = Target.direct();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(wait_event, state) FROM pg_stat_activity"
                        + " WHERE application_name = '" + applicationName + "'")) {
            return rs.next() ? rs.getString(1) : "absent";
        }
    }
}
