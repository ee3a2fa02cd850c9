package dev.portcullis.proxy.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.SshListener;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSH gateway with the real OpenSSH client in front and a real OpenSSH sshd behind. */
@QuarkusTest
@QuarkusTestResource(value = SshTestResource.class, restrictToAnnotatedClass = true)
class SshGatewayTest {

    private static final String CONN = SshTestResource.CONNECTION;

    @Inject
    SshListener listener;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
    }

    @Test
    void tokenLoginRunsAnAllowedExecAndRelaysStdoutStderrAndExitStatus() throws Exception {
        SshClients.Result r = SshClients.run(port, CONN, token, "echo hello-from-target; echo to-stderr >&2; exit 3");
        assertEquals(3, r.exit(), r.stderr());
        assertEquals("hello-from-target\n", r.stdout());
        assertTrue(r.stderr().contains("to-stderr"), r.stderr());
        JsonObject input = SshTestResource.policy().inputs.getLast();
        assertEquals("exec", input.getJsonObject("request").getString("kind"));
        assertEquals(
                "echo hello-from-target; echo to-stderr >&2; exit 3",
                input.getJsonObject("request").getString("command"));
        assertEquals("demo-agent", input.getJsonObject("identity").getString("agent"));
        assertEquals("ssh", input.getJsonObject("connection").getString("type"));
    }

    @Test
    void agentAtConnectionUserWorks() throws Exception {
        SshClients.Result r = SshClients.run(port, "demo-agent@" + CONN, token, "echo agent-at-ok");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("agent-at-ok\n", r.stdout());
    }

    @Test
    void passwordLoginWithTheWholeTokenWorks() throws Exception {
        // OpenSSH cuts passwords at 1023 characters, so the password method is shown with MINA's client
        try (org.apache.sshd.client.SshClient client = org.apache.sshd.client.SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (org.apache.sshd.client.session.ClientSession s = client.connect(CONN, "127.0.0.1", port)
                    .verify(Duration.ofSeconds(10))
                    .getSession()) {
                s.addPasswordIdentity(token);
                s.auth().verify(Duration.ofSeconds(10));
                assertEquals("password-ok\n", s.executeRemoteCommand("echo password-ok"));
            }
            try (org.apache.sshd.client.session.ClientSession s = client.connect(CONN, "127.0.0.1", port)
                    .verify(Duration.ofSeconds(10))
                    .getSession()) {
                s.addPasswordIdentity("wrong-" + token);
                assertThrows(Exception.class, () -> s.auth().verify(Duration.ofSeconds(10)));
            }
        }
    }

    @Test
    void badTokensAndWrongAgentNameAreRefused() throws Exception {
        for (String bad :
                List.of("not-a-token", Agents.tampered(token), Agents.algNone(token), Agents.tokenWithoutScope())) {
            SshClients.Result r = SshClients.run(port, CONN, bad, "echo should-not-run");
            assertNotEquals(0, r.exit());
            assertFalse(r.stdout().contains("should-not-run"));
        }
        SshClients.Result other = SshClients.run(port, "someone-else@" + CONN, token, "echo should-not-run");
        assertNotEquals(0, other.exit());
        assertFalse(other.stdout().contains("should-not-run"));
        SshClients.Result noConn = SshClients.run(port, "no-such-connection", token, "echo should-not-run");
        assertNotEquals(0, noConn.exit());
    }

    @Test
    void deniedExecDoesNotRunAndTheReasonIsOnStderr() throws Exception {
        Path marker = SshTestResource.dir().resolve("denied-marker-" + UUID.randomUUID());
        SshClients.Result r = SshClients.run(port, CONN, token, "touch " + marker + " # forbidden");
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("denied by policy: rule ssh-forbidden"), r.stderr());
        assertFalse(Files.exists(marker), "the denied command did not run");
    }

    @Test
    void aCardNumberPrintedByCatComesBackMasked() throws Exception {
        SshClients.Result r =
                SshClients.run(port, CONN, token, "cat " + SshTestResource.dir().resolve("cards.txt"));
        assertEquals(0, r.exit(), r.stderr());
        assertFalse(r.stdout().contains(SshTestResource.CARD), r.stdout());
        assertFalse(r.stdout().contains("4111111111111111"), r.stdout());
        assertTrue(r.stdout().contains("customer Ada, card ") && r.stdout().contains("1111 on file"), r.stdout());
        assertTrue(r.stdout().contains("****"), r.stdout());
    }

    @Test
    void aTargetWhoseHostKeyIsNotInKnownHostsIsRefused() throws Exception {
        Path marker = SshTestResource.dir().resolve("hostkey-marker-" + UUID.randomUUID());
        try {
            SshTestResource.wrongHostKey(true);
            SshClients.Result r = SshClients.run(port, CONN, token, "touch " + marker);
            assertEquals(1, r.exit());
            assertTrue(r.stderr().contains("host key verification"), r.stderr());
            assertFalse(Files.exists(marker));
        } finally {
            SshTestResource.wrongHostKey(false);
        }
        assertEquals(0, SshClients.run(port, CONN, token, "touch " + marker).exit());
        assertTrue(Files.exists(marker), "with the right knownHosts the command runs");
    }

    @Test
    void portForwardingIsRefused() throws Exception {
        try (java.net.ServerSocket destination =
                new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            destination.setSoTimeout(500);
            // direct-tcpip (what -L and -W open): the channel is refused and nothing reaches the destination
            SshClients.Result direct = SshClients.await(
                    SshClients.start(port, CONN, token, List.of("-W", "127.0.0.1:" + destination.getLocalPort()), null),
                    30);
            assertNotEquals(0, direct.exit());
            assertTrue(direct.stderr().contains("forwarding failed"), direct.stderr());
            assertThrows(java.net.SocketTimeoutException.class, destination::accept, "nothing was forwarded");
        }
        // tcpip-forward (-R): the global request is refused
        SshClients.Result remote = SshClients.await(
                SshClients.start(
                        port,
                        CONN,
                        token,
                        List.of("-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:0:127.0.0.1:22"),
                        null),
                30);
        assertNotEquals(0, remote.exit());
        assertTrue(remote.stderr().contains("forwarding failed"), remote.stderr());
    }

    @Test
    void aReviewedExecRunsOnlyAfterApproval() throws Exception {
        Path marker = SshTestResource.dir().resolve("review-marker-" + UUID.randomUUID());
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS)) {
            Process p = SshClients.start(port, CONN, token, List.of(), "touch " + marker + " # review");
            JsonObject req = requests.await(
                    e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                            && e.getJsonObject("data")
                                    .getJsonObject("request")
                                    .getString("command", "")
                                    .contains(marker.toString()),
                    Duration.ofSeconds(15));
            String reviewId = req.getJsonObject("data").getString("review_id");
            Thread.sleep(500);
            assertTrue(p.isAlive(), "the exec is held");
            assertFalse(Files.exists(marker), "nothing ran before approval");
            dev.portcullis.proxy.ProxyReadiness.await();
            KafkaProbe.approve(reviewId, "bob");
            SshClients.Result r = SshClients.await(p, 20);
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.stderr().contains("waiting for approval, review " + reviewId), r.stderr());
            assertTrue(Files.exists(marker), "the approved command ran");
        }
    }

    @Test
    void sessionEventsCarryRequestDecisionMaskedOutputAndEndInOrder() throws Exception {
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            String tag = "events-" + UUID.randomUUID();
            SshClients.Result r = SshClients.run(
                    port,
                    CONN,
                    token,
                    "echo " + tag + "; cat " + SshTestResource.dir().resolve("cards.txt"));
            assertEquals(0, r.exit(), r.stderr());
            JsonObject request = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && e.getJsonObject("data").getString("command", "").contains(tag),
                    Duration.ofSeconds(15));
            String session = request.getString("session_id");
            events.await(
                    e -> session.equals(e.getString("session_id"))
                            && EventTypes.SESSION_ENDED.equals(e.getString("type")),
                    Duration.ofSeconds(15));
            List<JsonObject> mine = events.session(session, "demo-agent", CONN);
            List<String> types = mine.stream().map(e -> e.getString("type")).toList();
            assertEquals(EventTypes.SESSION_STARTED, types.getFirst());
            assertEquals(EventTypes.SESSION_ENDED, types.getLast());
            assertTrue(
                    types.indexOf(EventTypes.SESSION_REQUEST) < types.indexOf(EventTypes.SESSION_DECISION),
                    types.toString());
            String output = mine.stream()
                    .filter(e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type")))
                    .map(e -> e.getJsonObject("data").getString("data", ""))
                    .reduce("", String::concat);
            assertTrue(output.contains(tag), output);
            assertFalse(output.contains(SshTestResource.CARD), "recorded output is masked");
            assertTrue(
                    mine.stream()
                            .anyMatch(e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                                    && e.getJsonObject("data").containsKey("elapsed")),
                    "output events carry asciicast timing");
            assertFalse(events.seen().toString().contains(token), "the token is never recorded");
        }
    }

    @Test
    void anInteractiveShellWithAPtyIsRelayedAndEachLineIsRecorded() throws Exception {
        // a shell and a PTY need a grant above read (ReadOnlyChannelSession)
        dev.portcullis.proxy.KeycloakScopes.grantDemoAgent(CONN, "write");
        String writeToken = dev.portcullis.proxy.Agents.demoAgentWriteToken();
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            SshClients.Result r = SshClients.await(
                    SshClients.start(port, CONN, writeToken, List.of("-tt"), null, "echo shell-$((6*7))\nexit\n"), 30);
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.stdout().contains("shell-42"), "the target shell ran the line: " + r.stdout());
            assertEquals(
                    "shell",
                    SshTestResource.policy().inputs.stream()
                            .map(i -> i.getJsonObject("request").getString("kind"))
                            .filter("shell"::equals)
                            .findFirst()
                            .orElse("none"),
                    "the shell was decided by policy");
            JsonObject line = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "shell_line".equals(e.getJsonObject("data").getString("kind"))
                            && "echo shell-$((6*7))"
                                    .equals(e.getJsonObject("data").getString("command")),
                    Duration.ofSeconds(15));
            assertEquals(CONN, line.getString("connection"));
        }
    }

    @Test
    void aReadGrantGetsNoPtyNoShellAndNoEnvAtTheSshLevel() throws Exception {
        String readToken = dev.portcullis.proxy.KeycloakScopes.demoAgentToken("conn:" + CONN + ":read");
        String tag = "env-" + UUID.randomUUID();
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            SshClients.Result pty =
                    SshClients.await(SshClients.start(port, CONN, readToken, List.of("-tt"), null, "id\nexit\n"), 30);
            assertEquals(255, pty.exit(), pty.stderr());
            assertTrue(pty.stderr().contains("PTY allocation request failed"), pty.stderr());
            SshClients.Result shell =
                    SshClients.await(SshClients.start(port, CONN, readToken, List.of("-T"), null), 30);
            assertEquals(255, shell.exit(), shell.stderr());
            assertTrue(shell.stderr().contains("shell request failed"), shell.stderr());
            assertTrue(
                    SshTestResource.policy().inputs.stream()
                            .noneMatch(i -> "read"
                                            .equals(i.getJsonObject("identity").getString("access"))
                                    && "shell".equals(i.getJsonObject("request").getString("kind"))),
                    "a read grant's shell never reached policy");
            // env requests carry no reply; the refusal is recorded, the variable never set
            SshClients.Result env = SshClients.await(
                    SshClients.start(
                            port,
                            CONN,
                            readToken,
                            List.of("-o", "SetEnv=PORTCULLIS_TAG=" + tag),
                            "printenv PORTCULLIS_TAG"),
                    30);
            assertFalse(env.stdout().contains(tag), env.stdout());
            JsonObject refused = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "env".equals(e.getJsonObject("data").getString("kind")),
                    Duration.ofSeconds(15));
            assertFalse(refused.encode().contains(tag), "the variable's value is not recorded");
        }
    }

    @Test
    void disablingTheAgentEndsItsLiveSshSession() throws Exception {
        String tag = "kill-" + UUID.randomUUID();
        Process p = SshClients.start(port, CONN, token, List.of(), "sleep 30 # " + tag);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (SshTestResource.policy().inputs.stream()
                .noneMatch(
                        i -> i.getJsonObject("request").getString("command", "").contains(tag))) {
            assertTrue(System.nanoTime() < end, "the exec reached policy");
            Thread.sleep(50);
        }
        Thread.sleep(300);
        assertTrue(p.isAlive());
        dev.portcullis.proxy.ProxyReadiness.await();
        long t0 = System.nanoTime();
        KafkaProbe.publish(
                Topics.IDENTITY_EVENTS,
                "demo-agent",
                KafkaProbe.controlEvent(
                        EventTypes.AGENT_DISABLED, "demo-agent", new JsonObject().put("agent", "demo-agent")));
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "the session ended");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
        assertNotEquals(0, p.exitValue());
        dev.portcullis.proxy.ProxyReadiness.afterKillSwitch("demo-agent");
    }

    @Test
    void garbageAfterTheBannerClosesThatConnectionOnlyAndABystanderKeepsWorking() throws Exception {
        java.util.Random random = new java.util.Random(7);
        List<java.net.Socket> bad = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                java.net.Socket sock = new java.net.Socket("127.0.0.1", port);
                bad.add(sock);
                // garbage that reads as a long packet is waited for until the login timeout (5s here)
                sock.setSoTimeout(15_000);
                byte[] garbage = new byte[64 + random.nextInt(4096)];
                random.nextBytes(garbage);
                sock.getOutputStream()
                        .write("SSH-2.0-garbage\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sock.getOutputStream().write(garbage);
                sock.getOutputStream().flush();
            }
            SshClients.Result r = SshClients.run(port, CONN, token, "echo bystander-ok");
            assertEquals(0, r.exit(), r.stderr());
            assertEquals("bystander-ok\n", r.stdout(), "a bystander works while the garbled connections are open");
            for (java.net.Socket sock : bad) {
                boolean closed;
                try {
                    byte[] buf = new byte[8192];
                    while (sock.getInputStream().read(buf) >= 0) {
                        // the server's banner and KEXINIT, then the close
                    }
                    closed = true;
                } catch (java.net.SocketException e) {
                    closed = true; // reset by the server
                }
                assertTrue(closed, "the proxy closed the connection that sent garbage");
            }
        } finally {
            for (java.net.Socket sock : bad) {
                sock.close();
            }
        }
    }

    @Test
    void sftpWithAReadTokenDownloadsButCannotWrite() throws Exception {
        Path dir = SshTestResource.dir();
        Path local = Files.createTempFile("sftp-get", ".txt");
        Path upload = Files.createTempFile("sftp-put", ".txt");
        Files.writeString(upload, "uploaded\n");
        String remoteNew = dir.resolve("sftp-new-" + UUID.randomUUID()).toString();
        Path batch = Files.createTempFile("sftp", ".batch");
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            Files.writeString(
                    batch,
                    "get " + dir.resolve("cards.txt") + " " + local + "\n-put " + upload + " " + remoteNew + "\n-rm "
                            + dir.resolve("cards.txt") + "\n");
            SshClients.Result r = SshClients.transfer(
                    "sftp",
                    port,
                    CONN,
                    token,
                    // -b turns on BatchMode (no prompts, so no token); the first value of an option wins
                    List.of("-o", "BatchMode=no", "-b", batch.toString(), "127.0.0.1"));
            assertEquals(0, r.exit(), r.stderr());
            assertEquals(
                    Files.readString(dir.resolve("cards.txt")), Files.readString(local), "the download is complete");
            assertTrue(r.stderr().contains("Permission denied"), r.stderr());
            assertFalse(Files.exists(Path.of(remoteNew)), "the upload was refused");
            assertTrue(Files.exists(dir.resolve("cards.txt")), "the remove was refused");
            JsonObject input = SshTestResource.policy().inputs.stream()
                    .filter(i -> "sftp".equals(i.getJsonObject("request").getString("kind")))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            assertEquals(true, input.getJsonObject("request").getBoolean("read_only"));
            JsonObject denied = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "sftp_op".equals(e.getJsonObject("data").getString("kind"))
                            && e.getJsonObject("data").getBoolean("denied", false)
                            && e.getJsonObject("data").getString("path", "").equals(remoteNew),
                    Duration.ofSeconds(15));
            assertEquals("open_write", denied.getJsonObject("data").getString("op"));
        }
    }

    @Test
    void sftpAndScpWithAWriteTokenUpload() throws Exception {
        String writeToken = dev.portcullis.proxy.KeycloakScopes.demoAgentToken("conn:" + CONN + ":write");
        Path upload = Files.createTempFile("scp-put", ".txt");
        Files.writeString(upload, "uploaded by scp\n");
        Path remote = SshTestResource.dir().resolve("scp-new-" + UUID.randomUUID());
        SshClients.Result r =
                SshClients.transfer("scp", port, CONN, writeToken, List.of(upload.toString(), "127.0.0.1:" + remote));
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("uploaded by scp\n", Files.readString(remote));
        Path remote2 = SshTestResource.dir().resolve("scp-refused-" + UUID.randomUUID());
        SshClients.Result refused =
                SshClients.transfer("scp", port, CONN, token, List.of(upload.toString(), "127.0.0.1:" + remote2));
        assertNotEquals(0, refused.exit());
        assertFalse(Files.exists(remote2), "a read token cannot upload with scp (SFTP mode) either");
    }

    @Test
    void aSessionEndsAtItsConnectionsMaxSessionDuration() throws Exception {
        String shortToken =
                dev.portcullis.proxy.KeycloakScopes.demoAgentToken("conn:" + SshTestResource.SHORT + ":read");
        long t0 = System.nanoTime();
        SshClients.Result r = SshClients.run(port, SshTestResource.SHORT, shortToken, "sleep 20; echo not-reached");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertNotEquals(0, r.exit());
        assertFalse(r.stdout().contains("not-reached"));
        assertTrue(seconds < 15, "ended at maxSessionDuration (3 s), not after the command: " + seconds);
        assertTrue(r.stderr().contains("maxSessionDuration"), r.stderr());
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefusedAndTheLimitFreesUp() throws Exception {
        List<java.net.Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                idle.add(new java.net.Socket("127.0.0.1", port));
            }
            Thread.sleep(300);
            SshClients.Result refused = SshClients.run(port, CONN, token, "echo over-the-limit");
            assertNotEquals(0, refused.exit());
            assertFalse(refused.stdout().contains("over-the-limit"));
        } finally {
            for (java.net.Socket sock : idle) {
                sock.close();
            }
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        SshClients.Result ok;
        do {
            Thread.sleep(200);
            ok = SshClients.run(port, CONN, token, "echo under-the-limit");
        } while (ok.exit() != 0 && System.nanoTime() < end);
        assertEquals("under-the-limit\n", ok.stdout(), ok.stderr());
    }

    @Test
    void forwardingAllowedByPolicyIsRelayedThroughTheTarget() throws Exception {
        try (java.net.ServerSocket echo = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (java.net.Socket c = echo.accept()) {
                    c.getInputStream().transferTo(c.getOutputStream());
                } catch (java.io.IOException e) {
                    // test over
                }
            });
            dev.portcullis.proxy.FakePolicyServer.allowedForwardPort = echo.getLocalPort();
            try {
                SshClients.Result r = SshClients.await(
                        SshClients.start(
                                port,
                                CONN,
                                token,
                                List.of("-W", "127.0.0.1:" + echo.getLocalPort()),
                                null,
                                "ping-through-the-target\n"),
                        30);
                assertEquals("ping-through-the-target\n", r.stdout(), r.stderr());
            } finally {
                dev.portcullis.proxy.FakePolicyServer.allowedForwardPort = -1;
                server.interrupt();
            }
            JsonObject input = SshTestResource.policy().inputs.stream()
                    .filter(i ->
                            "port_forward".equals(i.getJsonObject("request").getString("kind")))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            assertEquals(echo.getLocalPort(), input.getJsonObject("request").getInteger("port"));
        }
    }
}
