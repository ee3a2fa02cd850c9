package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.CapsTrustRestartResource.connection;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.HttpListener;
import dev.portcullis.proxy.KeycloakScopes;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyReadiness;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.ShutdownDrain;
import dev.portcullis.proxy.SshListener;
import dev.portcullis.proxy.enforcement.ControlEventsListener;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 15 §5–§7 against the running proxy with real clients (JDBC, raw protocol sockets, OpenSSH's {@code ssh}):
 * caps before authentication on every listener, the backend proving itself ({@link FakePgBackend} for what a real
 * PostgreSQL cannot be made to do wrong; pg-demo on dev-stack's PostgreSQL for the SCRAM happy path), the kill switch
 * rebuilt at start, and the drain on shutdown (last: the proxy stays draining, so this class has an application of
 * its own).
 */
@QuarkusTest
@QuarkusTestResource(value = CapsTrustRestartResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CapsTrustRestartTest {

    @Inject
    PgListener pg;

    @Inject
    HttpListener http;

    @Inject
    SshListener ssh;

    @Inject
    SessionRegistry registry;

    @Inject
    ControlEventsListener control;

    @Inject
    ShutdownDrain drain;

    int port;

    @BeforeEach
    void setUp() throws Exception {
        port = pg.actualPort();
        ProxyReadiness.await();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static Socket idle(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        return s;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static int count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    // ---- §7 the kill switch after a restart --------------------------------------------------------------------

    @Test
    @Order(1)
    void aTokenMintedBeforeAKillSwitchStaysRefusedAfterTheProxyStarts() throws Exception {
        // the agent.disabled was published before this proxy started: only the rebuild from identity-events knows it
        assertTrue(control.rebuildMillis() >= 0, "rebuilt before ready");
        System.out.printf("kill-switch cut-offs rebuilt %d ms after start%n", control.rebuildMillis());
        String ready = given().get("/q/health/ready").asString();
        assertTrue(ready.contains("kill-switch-rebuild-ms"), ready);
        SQLException refused = assertThrows(
                SQLException.class,
                () -> PgClients.jdbc(port, CapsTrustRestartResource.tokenBeforeKillSwitch, "before-kill")
                        .close());
        assertEquals("28000", refused.getSQLState(), refused.getMessage());
        assertTrue(refused.getMessage().contains("access of agent demo-agent was ended"), refused.getMessage());
        try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "after-kill")) {
            assertEquals(3, count(c, "customers"), "a token minted after the kill switch works");
        }
    }

    // ---- §5 caps before authentication ---------------------------------------------------------------------------

    @Test
    @Order(2)
    void idleUnauthenticatedSocketsUpToTheBudgetDoNotStopAnAgent() throws Exception {
        int budget = CapsTrustRestartResource.PG_BUDGET;
        await("no unauthenticated connection left", () -> registry.openUnauthenticated("postgres") == 0);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < budget - 1; i++) {
                idle.add(idle(port));
            }
            await("the idle sockets are counted", () -> registry.openUnauthenticated("postgres") == budget - 1);
            try (Connection agent = PgClients.jdbc(port, Agents.demoAgentToken(), "among-idle-sockets")) {
                assertEquals(3, count(agent, "customers"));
                // logged in, the agent no longer counts: one more idle socket fills the budget
                assertEquals(budget - 1, registry.openUnauthenticated("postgres"));
                idle.add(idle(port));
                await("the budget is full", () -> registry.openUnauthenticated("postgres") == budget);
                // one more unauthenticated connection is refused at once, in PostgreSQL's shape
                try (Socket over = idle(port)) {
                    StringBuilder errors = new StringBuilder();
                    assertEquals(
                            'E',
                            BadInputTest.readUntilReadyOrError(new DataInputStream(over.getInputStream()), errors));
                    assertTrue(errors.toString().contains("53300"), errors.toString());
                    assertTrue(
                            errors.toString()
                                    .contains("too many unauthenticated connections already (at most " + budget),
                            errors.toString());
                    assertTrue(BadInputTest.closedByProxy(over));
                }
                assertEquals(budget, registry.openUnauthenticated("postgres"), "the refused one took no slot");
                // the logged-in session is not affected by the full budget
                assertEquals(3, count(agent, "customers"));
                // what the budget costs: while it is full, a new login is refused too (53300), until sockets go
                SQLException full = assertThrows(
                        SQLException.class, () -> PgClients.jdbc(port, Agents.demoAgentToken(), "while-full"));
                assertEquals("53300", full.getSQLState(), full.getMessage());
            }
        } finally {
            closeAll(idle);
        }
        await("the idle sockets' slots are released", () -> registry.openUnauthenticated("postgres") == 0);
        try (Connection again = PgClients.jdbc(port, Agents.demoAgentToken(), "after-idle-sockets")) {
            assertEquals(3, count(again, "customers"));
        }
    }

    @Test
    @Order(3)
    void aPasswordMessageOverItsCapIsRefusedByItsLengthAlone() throws Exception {
        try (Socket s = idle(port)) {
            s.getOutputStream().write(BadInputTest.startup("user", "agent", "database", ProxyTestResource.CONNECTION));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals('R', (char) in.readUnsignedByte());
            in.readFully(new byte[8]);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write('p');
            out.writeInt(16 * 1024 * 1024); // the 16 MiB of the issue: only the length is sent
            out.flush();
            StringBuilder errors = new StringBuilder();
            assertEquals('E', BadInputTest.readUntilReadyOrError(in, errors));
            assertTrue(errors.toString().contains("08P01"), errors.toString());
            assertTrue(
                    errors.toString().contains("(must be 4..16384, portcullis.pg.max-password-message)"),
                    errors.toString());
            assertTrue(BadInputTest.closedByProxy(s));
        }
        // at the cap exactly, the message is read and judged as a token (an invalid one)
        try (Socket s = idle(port)) {
            s.getOutputStream().write(BadInputTest.startup("user", "agent", "database", ProxyTestResource.CONNECTION));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals('R', (char) in.readUnsignedByte());
            in.readFully(new byte[8]);
            byte[] token = new byte[16384 - 4 - 1];
            Arrays.fill(token, (byte) 'a');
            s.getOutputStream()
                    .write(BadInputTest.message('p', BadInputTest.cstr(new String(token, StandardCharsets.US_ASCII))));
            StringBuilder errors = new StringBuilder();
            assertEquals('E', BadInputTest.readUntilReadyOrError(in, errors));
            assertTrue(errors.toString().contains("28P01"), errors.toString());
        }
    }

    @Test
    @Order(4)
    void aSilentSocketIsClosedAtTheLoginTimeoutAndGivesItsSlotBack() throws Exception {
        await("no unauthenticated connection left", () -> registry.openUnauthenticated("postgres") == 0);
        try (Socket s = idle(port)) {
            await("counted", () -> registry.openUnauthenticated("postgres") == 1);
            StringBuilder errors = new StringBuilder();
            assertEquals('E', BadInputTest.readUntilReadyOrError(new DataInputStream(s.getInputStream()), errors));
            assertTrue(errors.toString().contains("portcullis.pg.startup-timeout"), errors.toString());
            assertTrue(BadInputTest.closedByProxy(s));
        }
        await("the slot is given back", () -> registry.openUnauthenticated("postgres") == 0);
    }

    @Test
    @Order(5)
    void encryptionIsNegotiatedOnceOnly() throws Exception {
        try (Socket s = idle(port)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877104); // GSSENCRequest
            assertEquals('N', (char) s.getInputStream().read());
            out.writeInt(8);
            out.writeInt(80877104); // again: a client looping here would only make the proxy answer
            StringBuilder errors = new StringBuilder();
            assertEquals('E', BadInputTest.readUntilReadyOrError(new DataInputStream(s.getInputStream()), errors));
            assertTrue(errors.toString().contains("encryption negotiation requested twice"), errors.toString());
            assertTrue(BadInputTest.closedByProxy(s));
        }
    }

    @Test
    @Order(6)
    void httpConnectionsOverTheBudgetGet503AndSilentOnesAreClosed() throws Exception {
        int httpPort = http.actualPort();
        int budget = CapsTrustRestartResource.HTTP_BUDGET;
        await("no unauthenticated http connection", () -> registry.openUnauthenticated("http") == 0);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < budget; i++) {
                idle.add(idle(httpPort));
            }
            await("the budget is full", () -> registry.openUnauthenticated("http") == budget);
            try (Socket over = idle(httpPort)) {
                over.getOutputStream()
                        .write("GET /k8s-any/api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(over.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
                assertTrue(answer.contains("too many unauthenticated connections"), answer);
            }
            // the login timeout (5 s here) closes connections that never authenticate
            for (Socket s : idle) {
                assertEquals(-1, s.getInputStream().read(), "closed by the proxy");
            }
        } finally {
            closeAll(idle);
        }
        await("slots given back", () -> registry.openUnauthenticated("http") == 0);
    }

    @Test
    @Order(7)
    void sshConnectionsOverTheBudgetAreDisconnected() throws Exception {
        int sshPort = ssh.actualPort();
        int budget = CapsTrustRestartResource.SSH_BUDGET;
        await("no unauthenticated ssh connection", () -> registry.openUnauthenticated("ssh") == 0);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < budget; i++) {
                idle.add(idle(sshPort));
            }
            await("the budget is full", () -> registry.openUnauthenticated("ssh") == budget);
            Process p = new ProcessBuilder(
                            "ssh",
                            "-p",
                            String.valueOf(sshPort),
                            "-o",
                            "StrictHostKeyChecking=no",
                            "-o",
                            "UserKnownHostsFile=/dev/null",
                            "-o",
                            "BatchMode=yes",
                            "-o",
                            "ConnectTimeout=15",
                            "agent@127.0.0.1",
                            "true")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String err;
            try (InputStream e = p.getErrorStream()) {
                err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertNotEquals(0, p.exitValue(), err);
            assertTrue(err.contains("too many unauthenticated connections"), err);
            assertEquals(budget, registry.openUnauthenticated("ssh"), "the refused one took no slot");
        } finally {
            closeAll(idle);
        }
        await("slots given back", () -> registry.openUnauthenticated("ssh") == 0);
    }

    // ---- §6 the backend proves itself -------------------------------------------------------------------------

    private static String fakeToken() {
        return KeycloakScopes.demoAgentToken(CapsTrustRestartResource.FAKES.stream()
                .map(f -> "conn:" + connection(f) + ":read")
                .collect(Collectors.joining(" ")));
    }

    /** Logs in to a fake target; returns the refusal, and what the fake received once the proxy closed on it. */
    private SQLException refusedAt(String fake, String token) throws Exception {
        CapsTrustRestartResource.fake.seen.remove(fake);
        return assertThrows(
                SQLException.class,
                () -> PgClients.jdbc(port, token, "trust-" + fake, connection(fake))
                        .close());
    }

    private static FakePgBackend.Seen seen(String fake) throws InterruptedException {
        await("the fake saw " + fake, () -> CapsTrustRestartResource.fake.seen.containsKey(fake));
        FakePgBackend.Seen s = CapsTrustRestartResource.fake.seen.get(fake);
        assertTrue(s.closed.await(30, TimeUnit.SECONDS), "the proxy closed the backend connection");
        return s;
    }

    @Test
    @Order(10)
    void md5AndCleartextRequestsAreRefusedAndNoPasswordIsSent() throws Exception {
        String token = fakeToken();
        for (String fake : List.of("md5", "cleartext")) {
            SQLException e = refusedAt(fake, token);
            assertEquals("08001", e.getSQLState(), e.getMessage());
            String method = fake.equals("md5") ? "md5" : "password";
            assertTrue(e.getMessage().contains("backendAuth does not allow " + method), e.getMessage());
            assertEquals(List.of(), seen(fake).messages, "no password message reached the " + fake + " target");
        }
    }

    @Test
    @Order(11)
    void aTargetThatAsksForNothingIsRefused() throws Exception {
        SQLException e = refusedAt("trust", fakeToken());
        assertEquals("08001", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains("does not allow none"), e.getMessage());
        assertEquals(List.of(), seen("trust").messages, "nothing but the startup packet was sent");
    }

    @Test
    @Order(12)
    void aWrongOrMissingScramServerSignatureFailsTheSession() throws Exception {
        String token = fakeToken();
        SQLException forged = refusedAt("badscram", token);
        assertEquals("08001", forged.getSQLState(), forged.getMessage());
        assertTrue(forged.getMessage().contains("server signature does not verify"), forged.getMessage());
        // SASLInitialResponse and SASLResponse, then nothing: no statement reached the impostor
        assertEquals(List.of('p', 'p'), seen("badscram").messages);
        SQLException early = refusedAt("okbeforefinal", token);
        assertEquals("08001", early.getSQLState(), early.getMessage());
        assertTrue(early.getMessage().contains("before its SCRAM server signature was verified"), early.getMessage());
        assertEquals(List.of('p', 'p'), seen("okbeforefinal").messages);
    }

    @Test
    @Order(13)
    void backendTlsChecksTheCaAndTheHostName() throws Exception {
        String token = fakeToken();
        int handshakesBefore = CapsTrustRestartResource.fake.failedHandshakes.size();
        // the right CA and name: the handshake completes and the startup packet arrives over TLS (then md5 is refused)
        SQLException ok = refusedAt("tls-ok", token);
        assertTrue(ok.getMessage().contains("does not allow md5"), ok.getMessage());
        assertTrue(seen("tls-ok").tls, "the startup packet came over TLS");
        for (String fake : List.of("tls-wrongname", "tls-untrusted")) {
            SQLException e = refusedAt(fake, token);
            assertEquals("08001", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("could not connect to the target"), e.getMessage());
            assertNull(
                    CapsTrustRestartResource.fake.seen.get(fake), "no startup packet, no credential reached " + fake);
        }
        // both connections reached the fake and broke off in the handshake (not a DNS or connect failure)
        await(
                "two refused handshakes at the fake",
                () -> CapsTrustRestartResource.fake.failedHandshakes.size() == handshakesBefore + 2);
    }

    @Test
    @Order(14)
    void theRealPostgresProvesItselfWithScram() throws Exception {
        // dev-stack's PostgreSQL is SCRAM-only: a login means its server signature verified
        try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "scram-happy")) {
            assertEquals(3, count(c, "customers"));
        }
    }

    // ---- §7 drain on shutdown: last, the proxy stays draining ----------------------------------------------------

    @Test
    @Order(100)
    void aShutdownDrainsSessionsThenEndsThemWithAdminShutdown() throws Exception {
        try (PgWire live = PgWire.login(port, Agents.demoAgentToken(), "drain-live")) {
            CompletableFuture<Void> draining = CompletableFuture.runAsync(drain::drain);
            await("readiness is down", () -> given().get("/q/health/ready").statusCode() == 503);
            SQLException refused =
                    assertThrows(SQLException.class, () -> PgClients.jdbc(port, Agents.demoAgentToken(), "drain-new"));
            assertEquals("57P03", refused.getSQLState(), refused.getMessage());
            assertTrue(refused.getMessage().contains("shutting down"), refused.getMessage());
            // the live session goes on while the pod drains
            List<PgWire.Msg> answer = live.query("SELECT 1").send().untilReady();
            assertEquals("1", PgWire.first(answer, 'D').values().get(0), answer.toString());
            assertFalse(draining.isDone());
            draining.get(60, TimeUnit.SECONDS);
            PgWire.Msg end = live.read();
            assertEquals('E', end.type(), end.toString());
            assertEquals("57P01", end.sqlstate(), end.toString());
            assertTrue(end.fields().get('M').contains("the proxy is shutting down"), end.toString());
            assertEquals("FATAL", end.fields().get('S'));
        }
    }
}
