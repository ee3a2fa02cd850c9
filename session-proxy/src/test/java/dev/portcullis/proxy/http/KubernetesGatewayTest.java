package dev.portcullis.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.HttpListener;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.KeycloakScopes;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/Kubernetes gateway with the real {@code kubectl} in front and fabric8's mock API server
 * behind ({@link KubeApiFront}: not a kube-apiserver, none can run here), real Keycloak tokens and
 * Kafka. Tests that need kubectl are skipped, saying so, where it is not installed.
 */
@QuarkusTest
@QuarkusTestResource(value = HttpTestResource.class, restrictToAnnotatedClass = true)
class KubernetesGatewayTest {

    private static final String NS = HttpTestResource.NAMESPACE;
    private static final String REDACTED_B64 =
            Base64.getEncoder().encodeToString("[REDACTED]".getBytes(StandardCharsets.UTF_8));

    @Inject
    HttpListener listener;

    int port;
    String token;
    Path kubeconfig;

    @BeforeEach
    void setUp() throws Exception {
        port = listener.actualPort();
        token = KeycloakScopes.demoAgentToken(HttpTestResource.K8S_SCOPE);
        kubeconfig = Clients.kubeconfig(port, token);
    }

    private static void needKubectl() {
        Assumptions.assumeTrue(
                Clients.installed("kubectl"),
                "kubectl is not installed: the kubectl tests of the HTTP gateway are skipped (install kubectl to run them)");
    }

    private String url(String path) {
        return "https://localhost:" + port + "/" + HttpTestResource.K8S + path;
    }

    @Test
    void kubectlGetPodsIsAllowedAndPolicySeesTheParsedRequest() throws Exception {
        needKubectl();
        Clients.Result r = Clients.kubectlRun(kubeconfig, "get", "pods", "-o", "name");
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("pod/web-0", r.stdout().strip());
        JsonObject input = HttpTestResource.policy().inputs.stream()
                .filter(i -> "pods".equals(i.getJsonObject("request").getString("resource")))
                .reduce((a, b) -> b)
                .orElseThrow();
        JsonObject req = input.getJsonObject("request");
        assertEquals("kubernetes", req.getString("protocol"));
        assertEquals("list", req.getString("verb"));
        assertEquals(NS, req.getString("namespace"));
        assertEquals("GET", req.getString("method"));
        assertEquals("/api/v1/namespaces/" + NS + "/pods", req.getString("path"));
        assertEquals("demo-agent", input.getJsonObject("identity").getString("agent"));
        assertEquals("kubernetes", input.getJsonObject("connection").getString("type"));
    }

    @Test
    void kubectlDeleteNamespaceIsRefusedWithThePolicyMessage() throws Exception {
        needKubectl();
        Clients.Result r = Clients.kubectlRun(kubeconfig, "delete", "namespace", NS);
        assertNotEquals(0, r.exit());
        assertTrue(
                r.stderr()
                        .contains("Error from server (Forbidden): Portcullis: denied by policy: "
                                + "rule k8s-namespace-delete-forbidden: deleting namespaces is never allowed"),
                r.stderr());
        assertNotNull(HttpTestResource.kube().namespaces().withName(NS).get(), "the namespace still exists");
        assertFalse(
                HttpTestResource.front().requests.contains("DELETE /api/v1/namespaces/" + NS),
                "the delete never reached the API server");
    }

    @Test
    void secretGetAndListComeBackMasked() throws Exception {
        needKubectl();
        Clients.Result one = Clients.kubectlRun(kubeconfig, "get", "secret", "db", "-o", "json");
        assertEquals(0, one.exit(), one.stderr());
        JsonObject secret = new JsonObject(one.stdout());
        assertEquals(REDACTED_B64, secret.getJsonObject("data").getString("password"));
        assertEquals(
                "[REDACTED]",
                secret.getJsonObject("metadata")
                        .getJsonObject("annotations")
                        .getString("kubectl.kubernetes.io/last-applied-configuration"));
        Clients.Result list = Clients.kubectlRun(kubeconfig, "get", "secrets", "-o", "json");
        assertEquals(0, list.exit(), list.stderr());
        String original =
                Base64.getEncoder().encodeToString(HttpTestResource.SECRET_VALUE.getBytes(StandardCharsets.UTF_8));
        assertFalse(list.stdout().contains(original), list.stdout());
        assertFalse(list.stdout().contains(HttpTestResource.SECRET_VALUE));
        JsonArray items = new JsonObject(list.stdout()).getJsonArray("items");
        assertFalse(items.isEmpty());
        assertEquals(REDACTED_B64, items.getJsonObject(0).getJsonObject("data").getString("password"));
        Clients.Result cm = Clients.kubectlRun(kubeconfig, "get", "configmap", "settings", "-o", "json");
        JsonObject data = new JsonObject(cm.stdout()).getJsonObject("data");
        assertEquals("blue", data.getString("mode"), "ConfigMaps are not Secrets");
        assertTrue(data.getString("billing").matches("card \\*+1111 on file"), data.getString("billing"));
    }

    @Test
    void badTokensGet401AndAScopelessToken403InStatusShape() throws Exception {
        for (String bad : List.of("not-a-token", Agents.tampered(token), Agents.algNone(token))) {
            Clients.Result r = Clients.curl(bad, url("/api/v1/namespaces/" + NS + "/pods"));
            String[] lines = r.stdout().split("\n");
            assertEquals("401", lines[lines.length - 1], r.stdout());
            JsonObject status = new JsonObject(lines[0]);
            assertEquals("Status", status.getString("kind"));
            assertEquals("Unauthorized", status.getString("reason"));
            assertEquals(401, status.getInteger("code"));
        }
        Clients.Result none = Clients.curl(null, url("/api/v1/namespaces/" + NS + "/pods"));
        assertTrue(none.stdout().endsWith("401"), none.stdout());
        Clients.Result scopeless = Clients.curl(Agents.demoAgentToken(), url("/api/v1/namespaces/" + NS + "/pods"));
        assertTrue(scopeless.stdout().endsWith("403"), scopeless.stdout());
        assertTrue(scopeless.stdout().contains("\"reason\":\"Forbidden\""), scopeless.stdout());
        if (Clients.installed("kubectl")) {
            Clients.Result k = Clients.kubectlRun(Clients.kubeconfig(port, "not-a-token"), "get", "pods");
            assertNotEquals(0, k.exit());
            assertTrue(k.stderr().contains("the server has asked for the client to provide credentials"), k.stderr());
        }
    }

    @Test
    void theBackendTokenIsUsedTowardTheTargetAndNeverLeaks() throws Exception {
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            String marker = "leak-check-" + UUID.randomUUID();
            Clients.Result r = Clients.curl(token, url("/api/v1/namespaces/" + NS + "/configmaps/" + marker), "-i");
            assertTrue(r.stdout().contains("404"), r.stdout());
            assertFalse(r.stdout().contains(KubeApiFront.SA_TOKEN), "not in the response");
            List<String> seen = HttpTestResource.front().authorizations;
            assertFalse(seen.isEmpty());
            for (String a : seen) {
                assertEquals(
                        "Bearer " + KubeApiFront.SA_TOKEN, a, "the API server only ever sees the connection's token");
            }
            JsonObject req = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && e.getJsonObject("data").getString("path", "").contains(marker),
                    Duration.ofSeconds(15));
            String session = req.getString("session_id");
            events.await(
                    e -> session.equals(e.getString("session_id"))
                            && EventTypes.SESSION_ENDED.equals(e.getString("type")),
                    Duration.ofSeconds(15));
            for (JsonObject e : events.seen()) {
                assertFalse(e.encode().contains(KubeApiFront.SA_TOKEN), "no backend token in session events");
                assertFalse(e.encode().contains(token), "no agent token in session events");
            }
        }
    }

    @Test
    void aPlainHttpConnectionIsProxiedWithItsOwnCredentialAndMasked() throws Exception {
        String webToken = KeycloakScopes.demoAgentToken(HttpTestResource.WEB_SCOPE);
        String base = "https://localhost:" + port + "/" + HttpTestResource.WEB;
        Clients.Result r = Clients.curl(webToken, base + "/hello?x=1");
        String[] lines = r.stdout().split("\n");
        assertEquals("200", lines[lines.length - 1], r.stdout() + r.stderr());
        JsonObject body = new JsonObject(lines[0]);
        assertEquals("/base/hello", body.getString("path"), "the connection's base path is kept");
        assertEquals("[REDACTED]", body.getString("contact"));
        assertTrue(
                body.getString("card").endsWith("1111")
                        && !body.getString("card").contains("4111"),
                body.getString("card"));
        assertEquals("plain words", body.getString("note"));
        assertTrue(HttpTestResource.webAuthorizations.getLast().startsWith("Basic "), "the target got basic auth");
        assertFalse(HttpTestResource.webAuthorizations.stream().anyMatch(a -> a.contains(webToken)));
        Clients.Result admin = Clients.curl(webToken, base + "/admin/users");
        assertTrue(admin.stdout().endsWith("403"), admin.stdout());
        JsonObject problem = new JsonObject(admin.stdout().split("\n")[0]);
        assertEquals(403, problem.getInteger("status"));
        assertTrue(problem.getString("detail").contains("rule web-admin-forbidden"), problem.encode());
        assertFalse(HttpTestResource.webPaths.stream().anyMatch(p -> p.contains("admin")), "nothing reached /admin");
        Clients.Result wrongConn = Clients.curl(token, base + "/hello");
        assertTrue(
                wrongConn.stdout().endsWith("403"), "a k8s-demo token does not open web-demo: " + wrongConn.stdout());
        assertNull(null);
    }

    @Test
    void aWatchStreamsEventsAsTheyHappenWithSecretsMasked() throws Exception {
        needKubectl();
        Process watch = Clients.kubectl(kubeconfig, "get", "secrets", "-w", "-o", "json");
        try {
            awaitOutput(watch, "\"db\"", 30);
            String name = "rotated-" + UUID.randomUUID().toString().substring(0, 8);
            String fresh = "fresh-secret-" + UUID.randomUUID();
            HttpTestResource.kube()
                    .secrets()
                    .inNamespace(NS)
                    .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(NS)
                            .endMetadata()
                            .addToData(
                                    "token", Base64.getEncoder().encodeToString(fresh.getBytes(StandardCharsets.UTF_8)))
                            .build())
                    .create();
            String out = awaitOutput(watch, name, 30);
            assertTrue(watch.isAlive(), "the event arrived while the watch is still open: streamed, not buffered");
            assertFalse(out.contains(Base64.getEncoder().encodeToString(fresh.getBytes(StandardCharsets.UTF_8))), out);
            assertFalse(out.contains(fresh), out);
            assertTrue(out.contains(REDACTED_B64), out);
        } finally {
            watch.destroy();
        }
        JsonObject input = HttpTestResource.policy().inputs.stream()
                .filter(i -> "watch".equals(i.getJsonObject("request").getString("verb")))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("secrets", input.getJsonObject("request").getString("resource"));
    }

    private static String awaitOutput(Process p, String text, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            String out = Clients.stdout(p);
            if (out.contains(text)) {
                return out;
            }
            if (!p.isAlive()) {
                throw new AssertionError("exited before printing " + text + ": " + Clients.await(p, 1));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + text + " within " + seconds + "s: " + Clients.stdout(p));
    }

    @Test
    void aReviewedRequestIsHeldAndForwardedOnlyAfterApproval() throws Exception {
        needKubectl();
        String name = "held-" + UUID.randomUUID().toString().substring(0, 8);
        HttpTestResource.kube()
                .configMaps()
                .inNamespace(NS)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(NS)
                        .endMetadata()
                        .addToData("k", "v")
                        .build())
                .create();
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS)) {
            Process p = Clients.kubectl(kubeconfig, "delete", "configmap", name);
            JsonObject req = requests.await(
                    e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                            && name.equals(e.getJsonObject("data")
                                    .getJsonObject("request")
                                    .getString("name")),
                    Duration.ofSeconds(30));
            String reviewId = req.getJsonObject("data").getString("review_id");
            assertTrue(
                    req.getJsonObject("data").getJsonArray("reasons").encode().contains("k8s-configmap-delete-review"));
            Thread.sleep(500);
            assertTrue(p.isAlive(), "the delete is held");
            assertNotNull(
                    HttpTestResource.kube()
                            .configMaps()
                            .inNamespace(NS)
                            .withName(name)
                            .get(),
                    "not deleted yet");
            dev.portcullis.proxy.ProxyReadiness.await();
            KafkaProbe.approve(reviewId, "bob");
            Clients.Result r = Clients.await(p, 30);
            assertEquals(0, r.exit(), r.stderr());
            assertTrue(r.stdout().contains("deleted"), r.stdout());
            assertNull(
                    HttpTestResource.kube()
                            .configMaps()
                            .inNamespace(NS)
                            .withName(name)
                            .get(),
                    "deleted after approval");
        }
    }

    @Test
    void anOversizedHeaderClosesOnlyThatConnection() throws Exception {
        try (javax.net.ssl.SSLSocket bad = Clients.tlsSocket(port)) {
            bad.setSoTimeout(10_000);
            var out = bad.getOutputStream();
            out.write(("GET /" + HttpTestResource.K8S + "/api HTTP/1.1\r\nHost: localhost\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Clients.Result meanwhile = Clients.curl(token, url("/api/v1/namespaces/" + NS + "/pods"));
            assertTrue(meanwhile.stdout().endsWith("200"), "another client is served meanwhile: " + meanwhile.stdout());
            // far more than the limit, and more than the socket buffers hold: the proxy answers while this is still
            // being sent, and the client must still read the answer (no reset)
            out.write(("X-Big: " + "a".repeat(1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(bad.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 431"), response);
            assertTrue(response.contains("max-header-size"), response);
        }
        Clients.Result after = Clients.curl(token, url("/api/v1/namespaces/" + NS + "/pods"));
        assertTrue(after.stdout().endsWith("200"), after.stdout());
    }

    @Test
    void aSlowClientIsDroppedAtTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        try (javax.net.ssl.SSLSocket slow = Clients.tlsSocket(port)) {
            slow.setSoTimeout(15_000);
            long start = System.nanoTime();
            var out = slow.getOutputStream();
            out.write("GET /k8s-demo/api HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread feeder = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        Thread.sleep(250);
                        out.write('a');
                        out.flush();
                    }
                } catch (Exception e) {
                    // closed by the proxy: expected
                }
            });
            Clients.Result meanwhile = Clients.curl(token, url("/api/v1/namespaces/" + NS + "/pods"));
            assertTrue(meanwhile.stdout().endsWith("200"), meanwhile.stdout());
            int read = slow.getInputStream().read();
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(-1, read, "closed without an answer");
            assertTrue(
                    seconds >= 2.5 && seconds < 9,
                    "closed at the 3 s header timeout, not at once and not later: " + seconds);
            feeder.join(5000);
        }
    }

    @Test
    void execIsRelayedAfterPolicyAllowsItAndItsStreamsAreRecordedMasked() throws Exception {
        needKubectl();
        Clients.Result r;
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            r = Clients.kubectlRun(kubeconfig, "exec", "web-0", "--", "echo", "hi", "4111 1111 1111 1111");
            assertEquals(0, r.exit(), r.stderr());
            JsonObject stdout = events.await(
                    e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                            && "stdout".equals(e.getJsonObject("data").getString("stream")),
                    Duration.ofSeconds(15));
            String recorded = stdout.getJsonObject("data").getString("data");
            assertTrue(recorded.startsWith("exec in the test API server: echo hi "), recorded);
            assertFalse(recorded.contains("4111 1111 1111 1111"), "the recording holds the stream masked: " + recorded);
            JsonObject status = events.await(
                    e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                            && "status".equals(e.getJsonObject("data").getString("stream")),
                    Duration.ofSeconds(15));
            assertTrue(status.getJsonObject("data").getString("exec_status").contains("Success"), status::encode);
            JsonObject summary = events.await(
                    e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                            && Integer.valueOf(101)
                                    .equals(e.getJsonObject("data").getInteger("status")),
                    Duration.ofSeconds(15));
            assertEquals(true, summary.getJsonObject("data").getBoolean("recorded"), summary::encode);
            assertNull(summary.getJsonObject("data").getString("error"), summary::encode);
        }
        // the agent gets the stream as the API server sent it; the recording is what is masked
        assertEquals(
                "exec in the test API server: echo hi 4111 1111 1111 1111",
                r.stdout().strip());
        JsonObject input = HttpTestResource.policy().inputs.stream()
                .filter(i -> "exec".equals(i.getJsonObject("request").getString("subresource")))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("upgrade", input.getJsonObject("request").getString("kind"));
        assertEquals(
                "echo hi 4111 1111 1111 1111", input.getJsonObject("request").getString("command"));
        assertEquals("web-0", input.getJsonObject("request").getString("name"));
    }

    @Test
    void whatTheAgentTypesIntoAnExecIsRecordedMaskedLineByLine() throws Exception {
        needKubectl();
        Path input = Files.createTempFile(HttpTestResource.dir(), "stdin-", ".txt");
        String typed = "select * from cards where pan = '4111 1111 1111 1111';\nexit\n";
        Files.writeString(input, typed);
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            Process p = Clients.start(List.of(
                    "sh",
                    "-c",
                    "exec kubectl --kubeconfig \"$1\" --request-timeout 0 exec -i web-0 -- cat < \"$2\"",
                    "kubectl",
                    kubeconfig.toString(),
                    input.toString()));
            Clients.Result r = Clients.await(p, 60);
            assertEquals(0, r.exit(), r.stderr());
            assertEquals(typed, r.stdout(), "the agent's own stream is relayed unchanged");
            JsonObject first = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "stdin".equals(e.getJsonObject("data").getString("kind")),
                    Duration.ofSeconds(15));
            String session = first.getString("session_id");
            events.await(
                    e -> session.equals(e.getString("session_id"))
                            && EventTypes.SESSION_ENDED.equals(e.getString("type")),
                    Duration.ofSeconds(15));
            List<JsonObject> mine = events.session(session, "demo-agent", HttpTestResource.K8S);
            long execSeq = mine.stream()
                    .filter(e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "exec".equals(e.getJsonObject("data").getString("subresource")))
                    .findFirst()
                    .orElseThrow()
                    .getLong("seq");
            List<String> stdin = mine.stream()
                    .filter(e -> "stdin".equals(e.getJsonObject("data").getString("kind")))
                    .peek(e -> assertEquals(execSeq, e.getJsonObject("data").getLong("shell_request_seq")))
                    .map(e -> e.getJsonObject("data").getString("input"))
                    .toList();
            assertEquals(2, stdin.size(), stdin::toString);
            assertTrue(stdin.get(0).startsWith("select * from cards where pan = '"), stdin::toString);
            assertEquals("exit\n", stdin.get(1));
            String stdout = mine.stream()
                    .filter(e -> "stdout".equals(e.getJsonObject("data").getString("stream")))
                    .map(e -> e.getJsonObject("data").getString("data"))
                    .reduce("", String::concat);
            assertTrue(stdout.startsWith("select * from cards") && stdout.endsWith("exit\n"), stdout);
            for (JsonObject e : mine) {
                assertFalse(e.encode().contains("4111 1111 1111 1111"), () -> "unmasked in the recording: " + e);
            }
        }
    }

    @Test
    void streamsTheRelayCannotReadAreRefusedBeforeTheyReachTheApiServer() throws Exception {
        int before = HttpTestResource.front().requests.size();
        String exec = "/api/v1/namespaces/" + NS + "/pods/web-0/exec?command=id&stdout=true";
        String[][] upgrades = {
            {exec, "SPDY/3.1", "", "SPDY is not"},
            {exec, "websocket", "v4.base64.channel.k8s.io", "must offer"},
            {exec, "websocket", "", "must offer"},
            {
                "/api/v1/namespaces/" + NS + "/pods/web-0/portforward?ports=80",
                "websocket",
                "SPDY/3.1+portforward.k8s.io",
                "port-forward is not relayed"
            },
            {
                "/api/v1/namespaces/" + NS + "/pods/web-0/portforward?ports=80",
                "SPDY/3.1",
                "",
                "port-forward is not relayed"
            },
            {
                "/api/v1/namespaces/" + NS + "/pods/web-0/log",
                "websocket",
                "v5.channel.k8s.io",
                "only pods/exec and pods/attach"
            },
        };
        for (String[] u : upgrades) {
            List<String> args = new java.util.ArrayList<>(List.of(
                    "--http1.1",
                    "-H",
                    "Connection: Upgrade",
                    "-H",
                    "Upgrade: " + u[1],
                    "-H",
                    "Sec-WebSocket-Version: 13",
                    "-H",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="));
            if (!u[2].isEmpty()) {
                args.addAll(List.of("-H", "Sec-WebSocket-Protocol: " + u[2]));
            }
            Clients.Result r = Clients.curl(token, url(u[0]), args.toArray(String[]::new));
            String[] lines = r.stdout().strip().split("\n");
            assertEquals("400", lines[lines.length - 1], r::stdout);
            JsonObject status =
                    new JsonObject(r.stdout().substring(0, r.stdout().lastIndexOf('\n')));
            assertEquals("BadRequest", status.getString("reason"));
            assertTrue(status.getString("message").contains(u[3]), status::encode);
        }
        assertEquals(
                before,
                HttpTestResource.front().requests.size(),
                () -> "reached the API server: " + HttpTestResource.front().requests);
    }

    @Test
    void anUnreachablePolicyServiceFailsClosedWith503() throws Exception {
        HttpTestResource.policy().down.set(true);
        try {
            Clients.Result r = Clients.curl(
                    token, url("/api/v1/namespaces/" + NS + "/configmaps/fail-closed-" + UUID.randomUUID()));
            String[] lines = r.stdout().split("\n");
            assertEquals("503", lines[lines.length - 1], r.stdout());
            JsonObject status = new JsonObject(lines[0]);
            assertEquals("ServiceUnavailable", status.getString("reason"));
            assertTrue(status.getString("message").contains("policy service"), status.getString("message"));
        } finally {
            HttpTestResource.policy().down.set(false);
        }
    }

    @Test
    void agentDisabledEndsALiveWatch() throws Exception {
        needKubectl();
        Process watch = Clients.kubectl(kubeconfig, "get", "pods", "-w", "-o", "name");
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            awaitOutput(watch, "pod/web-0", 30);
            dev.portcullis.proxy.ProxyReadiness.await();
            KafkaProbe.publish(
                    Topics.IDENTITY_EVENTS,
                    "demo-agent",
                    KafkaProbe.controlEvent(
                            EventTypes.AGENT_DISABLED, "demo-agent", new JsonObject().put("agent", "demo-agent")));
            assertTrue(watch.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the watch ended");
            events.await(
                    e -> EventTypes.SESSION_ENDED.equals(e.getString("type"))
                            && e.getJsonObject("data").getString("reason", "").contains("was disabled"),
                    Duration.ofSeconds(10));
        } finally {
            watch.destroyForcibly();
            dev.portcullis.proxy.ProxyReadiness.afterKillSwitch("demo-agent");
        }
    }

    @Test
    void sessionEventsRecordRequestDecisionAndOutputInOrder() throws Exception {
        needKubectl();
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            Clients.Result r = Clients.kubectlRun(kubeconfig, "get", "configmap", "settings", "-o", "json");
            assertEquals(0, r.exit(), r.stderr());
            JsonObject request = events.await(
                    e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && "settings".equals(e.getJsonObject("data").getString("name")),
                    Duration.ofSeconds(15));
            String session = request.getString("session_id");
            events.await(
                    e -> session.equals(e.getString("session_id"))
                            && EventTypes.SESSION_ENDED.equals(e.getString("type")),
                    Duration.ofSeconds(15));
            List<JsonObject> mine = events.session(session, "demo-agent", HttpTestResource.K8S);
            assertEquals(EventTypes.SESSION_STARTED, mine.getFirst().getString("type"));
            assertEquals("kubernetes", mine.getFirst().getJsonObject("data").getString("protocol"));
            assertEquals(EventTypes.SESSION_ENDED, mine.getLast().getString("type"));
            long seq = request.getLong("seq");
            JsonObject decision = mine.stream()
                    .filter(e -> EventTypes.SESSION_DECISION.equals(e.getString("type"))
                            && e.getJsonObject("data").getLong("request_seq") == seq)
                    .findFirst()
                    .orElseThrow();
            assertEquals("allow", decision.getJsonObject("data").getString("action"));
            JsonObject output = mine.stream()
                    .filter(e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                            && e.getJsonObject("data").getLong("request_seq") == seq)
                    .findFirst()
                    .orElseThrow();
            assertEquals(200, output.getJsonObject("data").getInteger("status"));
            assertTrue(output.getJsonObject("data").getBoolean("masked"));
            assertTrue(decision.getLong("seq") > seq && output.getLong("seq") > decision.getLong("seq"));
            assertEquals("get", request.getJsonObject("data").getString("verb"));
            assertEquals("configmaps", request.getJsonObject("data").getString("resource"));
            for (JsonObject e : mine) {
                assertFalse(e.encode().contains("4111 1111 1111 1111"), "no unmasked value in the recording");
            }
        }
    }
}
