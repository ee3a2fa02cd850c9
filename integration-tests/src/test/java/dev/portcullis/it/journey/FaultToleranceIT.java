package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.Ports;
import dev.portcullis.devstack.cli.PortcullisServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8's fault cases, each in the middle of an open session (PostgreSQL JDBC driver through
 * session-proxy), each with its own agent so that its session is the only one the recorder lists
 * for it: Kafka stopped and started again, policy-service stopped and started again, and the
 * recorder killed (SIGKILL) and started again. Whatever a test stops, it starts again even when
 * it fails, so the other tests find the whole suite up.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultToleranceIT {

    static final String PROD = PortcullisSuite.PROD;
    static final Duration SERVICE_START = Duration.ofSeconds(240);

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;
    /** Client secret of each agent this class created. */
    final Map<String, String> secrets = new HashMap<>();

    @BeforeAll
    void suite(PortcullisSuite suite) {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.recorder = new Recorder(suite.recorderUrl(), keycloak);
    }

    @Test
    void kafkaStoppedAndStartedAgainMidSessionTheRecordingIsStillComplete() throws SQLException {
        String agent = agentWithReadOnProd("fault-kafka");
        List<String> sent = new ArrayList<>();
        Path spool = suite.home().resolve("proxy-spool");
        int kafkaPort = suite.stack().kafka().port();
        try (Connection c = ProxyJdbc.connect(suite.proxyPgPort(), PROD, agent, token(agent));
                Statement st = c.createStatement()) {
            for (int i = 1; i <= 3; i++) {
                select(st, "before the outage " + i, sent);
            }
            suite.stack().stop(Component.KAFKA);
            try {
                assertTrue(Ports.isFree(kafkaPort), "Kafka still listens on " + kafkaPort);
                for (int i = 1; i <= 3; i++) {
                    select(st, "during the outage " + i, sent);
                }
                // the proxy noticed: its events wait in the spool (not in a producer buffer that a
                // restart of Kafka alone would have flushed)
                Poll.until("the proxy to spool events", Duration.ofSeconds(45), () -> spooled(spool) ? true : null);
            } finally {
                suite.stack().ensure(Component.KAFKA);
            }
            for (int i = 1; i <= 2; i++) {
                select(st, "after the outage " + i, sent);
            }
        }
        Recording rec = recorder.downloadVerified(onlySession(agent, Duration.ofSeconds(120)));
        assertEachOnceAllowed(rec, sent);
    }

    @Test
    void policyServiceStoppedStatementsAreRefusedThenPassWhenItIsBack() throws SQLException {
        String agent = agentWithReadOnProd("fault-policy");
        String whileDown = "SELECT name FROM customers ORDER BY id";
        PortcullisServices services = suite.services();
        try (Connection c = ProxyJdbc.connect(suite.proxyPgPort(), PROD, agent, token(agent));
                Statement st = c.createStatement()) {
            assertEquals(PortcullisSuite.CUSTOMERS.size(), count(st, "SELECT count(*) FROM customers"));
            services.stop(PortcullisServices.POLICY, Duration.ofSeconds(20));
            try {
                SQLException refused = assertThrows(
                        SQLException.class,
                        () -> st.executeQuery(whileDown).close(),
                        "a statement ran while policy-service was down");
                assertEquals("42501", refused.getSQLState(), refused::toString);
                assertTrue(refused.getMessage().contains("policy service unavailable"), refused::getMessage);
                // the session is still usable and still fails closed: a second, different statement
                SQLException again = assertThrows(
                        SQLException.class,
                        () -> st.executeQuery("SELECT email FROM customers WHERE id = 1")
                                .close());
                assertEquals("42501", again.getSQLState(), again::toString);
            } finally {
                services.start(PortcullisServices.POLICY, SERVICE_START);
            }
            // the refusal was not cached: the same statement now passes, in the same session
            try (ResultSet rs = st.executeQuery(whileDown)) {
                int rows = 0;
                while (rs.next()) {
                    assertEquals(PortcullisSuite.CUSTOMERS.get(rows).get(0), rs.getString(1));
                    rows++;
                }
                assertEquals(PortcullisSuite.CUSTOMERS.size(), rows);
            }
        }
        Recording rec = recorder.downloadVerified(onlySession(agent, Duration.ofSeconds(60)));
        List<String> decisions = new ArrayList<>();
        for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
            if (whileDown.equals(req.data().path("text").asText())) {
                decisions.add(rec.finalDecision(req.seq())
                        .map(d -> d.path("action").asText())
                        .orElse("none"));
            }
        }
        assertEquals(
                List.of("deny", "allow"), decisions, "decisions recorded for the statement tried during the outage");
    }

    @Test
    void recorderKilledMidSessionNothingIsLostOrDoubled() throws SQLException {
        String agent = agentWithReadOnProd("fault-recorder");
        List<String> sent = new ArrayList<>();
        PortcullisServices services = suite.services();
        try (Connection c = ProxyJdbc.connect(suite.proxyPgPort(), PROD, agent, token(agent));
                Statement st = c.createStatement()) {
            for (int i = 1; i <= 5; i++) {
                select(st, "before the crash " + i, sent);
            }
            // the recorder is part-way through this session: it has staged some of its events (the
            // session is listed from its first staged event on, as "recording")
            Poll.until("the recorder to stage the open session", Duration.ofSeconds(60), () -> {
                List<JsonNode> s = recorder.sessions(agent);
                return s.size() == 1
                                && "recording".equals(s.get(0).path("status").asText())
                        ? s
                        : null;
            });
            services.kill(PortcullisServices.RECORDER);
            try {
                assertFalse(services.isRunning(PortcullisServices.RECORDER));
                for (int i = 1; i <= 5; i++) {
                    select(st, "while the recorder is down " + i, sent);
                }
            } finally {
                services.start(PortcullisServices.RECORDER, SERVICE_START);
            }
            for (int i = 1; i <= 3; i++) {
                select(st, "after the restart " + i, sent);
            }
        }
        Recording rec = recorder.downloadVerified(onlySession(agent, Duration.ofSeconds(120)));
        assertEachOnceAllowed(rec, sent);
    }

    // ------------------------------------------------------------------------------ helpers

    private String agentWithReadOnProd(String name) {
        Broker.CreatedAgent a = broker.createAgent(name);
        broker.grant(name, PROD, "read");
        secrets.put(name, a.clientSecret());
        return name;
    }

    private String token(String agent) {
        return broker.sessionToken(keycloak.agent(agent, secrets.get(agent)), PROD, "read");
    }

    /** A statement that names its step, so the recording can be checked for each one. */
    private static void select(Statement st, String step, List<String> sent) throws SQLException {
        String sql = "SELECT '" + step + "' AS step, count(*) FROM customers";
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            assertEquals(step, rs.getString(1));
            assertEquals(PortcullisSuite.CUSTOMERS.size(), rs.getInt(2));
        }
        sent.add(sql);
    }

    /** Whether the proxy's spool holds a segment with something in it. */
    static boolean spooled(Path spool) {
        try (java.util.stream.Stream<Path> files = Files.list(spool)) {
            return files.anyMatch(f ->
                    f.getFileName().toString().endsWith(".jsonl") && f.toFile().length() > 0);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static int count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The agent's one session, once the recorder has finalized it. */
    private String onlySession(String agent, Duration timeout) {
        JsonNode s = Poll.until("the session of " + agent + " to be recorded completely", timeout, () -> {
            List<JsonNode> all = recorder.sessions(agent);
            assertTrue(all.size() <= 1, () -> agent + " has more than one session: " + all);
            return all.size() == 1
                            && !"recording".equals(all.get(0).path("status").asText())
                    ? all.get(0)
                    : null;
        });
        return s.path("session_id").asText();
    }

    /** Every statement sent is in the recording exactly once, allowed, with its output; nothing else was requested. */
    private static void assertEachOnceAllowed(Recording rec, List<String> sent) {
        Map<String, Long> requested = rec.ofType(EventTypes.SESSION_REQUEST).stream()
                .collect(Collectors.groupingBy(l -> l.data().path("text").asText(), Collectors.counting()));
        Map<String, Long> expected =
                sent.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertEquals(expected, requested, "statements recorded vs sent");
        for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
            assertEquals(
                    "allow",
                    rec.finalDecision(req.seq())
                            .map(d -> d.path("action").asText())
                            .orElse("none"),
                    () -> "decision for " + req.data().path("text").asText());
            long outputs = rec.ofType(EventTypes.SESSION_OUTPUT).stream()
                    .filter(o -> o.data().path("request_seq").asLong(-1) == req.seq())
                    .count();
            assertEquals(
                    1,
                    outputs,
                    () -> "outputs recorded for " + req.data().path("text").asText());
        }
        assertEquals(1, rec.ofType(EventTypes.SESSION_STARTED).size());
        assertEquals(1, rec.ofType(EventTypes.SESSION_ENDED).size());
    }
}
