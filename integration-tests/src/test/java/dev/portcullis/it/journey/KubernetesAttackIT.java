package dev.portcullis.it.journey;

import static dev.portcullis.it.journey.Checks.assertNoneOf;
import static dev.portcullis.it.journey.Checks.requireStep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15 §3 as an attacker with a token would try it, with the real {@code curl} (which sends a path byte for
 * byte with {@code --path-as-is}) and the real {@code kubectl}, against the journey's API server ({@link
 * KubeTarget}): the gateway decides on the request as kube-apiserver decodes it, forwards that reading's canonical
 * encoding, asks for JSON, refuses what can be read two ways, reviews ephemeral containers and service-account
 * tokens on prod, and keeps a read token on a plain HTTP connection from writing. Every attack asserts the secure
 * answer and that the target is unchanged (namespace, pod and Secret still there; no write reached it).
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesAttackIT {

    static final String READER = "kube-prober";
    static final String WRITER = "kube-deployer";
    static final String NS = KubeTarget.NAMESPACE;
    static final String REDACTED_B64 =
            Base64.getEncoder().encodeToString("[REDACTED]".getBytes(StandardCharsets.UTF_8));

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    KubeTarget target;
    Kubectl kubectl;
    Path dir;
    final AtomicInteger files = new AtomicInteger();

    /** Header files ({@code Authorization: Bearer …}, owner-only) for curl's {@code -H @file}: tokens stay off argv. */
    Path readerK8s;

    Path writerK8s;
    Path readerWeb;
    Path writerKubeconfig;

    @BeforeAll
    void suite(PortcullisSuite suite) {
        Assumptions.assumeTrue(
                Client.installed("kubectl") && Client.installed("curl"),
                "kubectl or curl is not installed: KubernetesAttackIT is skipped (install both to run it)");
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.target = suite.kubeTarget();
        this.dir = suite.home().resolve("clients/kube-attack");
        this.kubectl = new Kubectl(suite.proxyHttpsPort(), suite.proxyCa(), dir);
    }

    @Test
    @Order(1)
    void aReaderAndAWriterGetTokens() {
        String readerAgent = agentToken(READER);
        String writerAgent = agentToken(WRITER);
        broker.grant(READER, PortcullisSuite.K8S, "read");
        broker.grant(READER, PortcullisSuite.WEB, "read");
        broker.grant(WRITER, PortcullisSuite.K8S, "write");
        readerK8s = headerFile(broker.sessionToken(readerAgent, PortcullisSuite.K8S, "read"));
        readerWeb = headerFile(broker.sessionToken(readerAgent, PortcullisSuite.WEB, "read"));
        String writerToken = broker.sessionToken(writerAgent, PortcullisSuite.K8S, "write");
        writerK8s = headerFile(writerToken);
        writerKubeconfig = kubectl.kubeconfig(PortcullisSuite.K8S, NS, writerToken);
    }

    @Test
    @Order(2)
    void aNamespaceDeleteIsDeniedHoweverItsPathIsSpelled() {
        requireStep(writerK8s != null, 1);
        int before = target.requests.size();
        for (String path : List.of(
                "/api/v1/%6eamespaces/" + NS,
                "/api/v1/namespaces/%70ayments",
                "/%61pi/v1/namespaces/" + NS + "/",
                "/api/%76%31/%6E%61%6D%65%73%70%61%63%65%73/" + NS,
                "/api/v1/namespaces/" + NS + "?propagationPolicy=Background")) {
            Curl r = curl(writerK8s, "DELETE", PortcullisSuite.K8S, path);
            assertEquals(403, r.status(), r::toString);
            JsonNode status = r.json();
            assertEquals("Status", status.path("kind").asText(), r::toString);
            assertEquals("Forbidden", status.path("reason").asText(), r::toString);
            assertTrue(status.path("message").asText().contains("rule k8s-namespace-delete-forbidden"), r::toString);
        }
        Client.Result k = kubectl.run(writerKubeconfig, "delete", "namespace", NS, "--wait=false");
        assertFalse(k.exit() == 0, k::toString);
        assertTrue(k.err().contains("(Forbidden)") && k.err().contains("k8s-namespace-delete-forbidden"), k::toString);
        assertTargetUnchanged(before);
    }

    @Test
    @Order(3)
    void aReadTokenCannotDeleteThroughAnEncodedPath() {
        requireStep(readerK8s != null, 1);
        int before = target.requests.size();
        for (String path : List.of(
                "/api/v1/namespaces/" + NS + "/pods/%61pi-0",
                "/api/v1/namespaces/" + NS + "/%70ods/" + KubeTarget.POD,
                "/api/v1/namespaces/" + NS + "/%73ecrets/" + KubeTarget.SECRET)) {
            Curl r = curl(readerK8s, "DELETE", PortcullisSuite.K8S, path);
            assertEquals(403, r.status(), r::toString);
            assertTrue(r.json().path("message").asText().contains("k8s-read-access-is-read-only"), r::toString);
        }
        assertTargetUnchanged(before);
    }

    @Test
    @Order(4)
    void ambiguousRequestsAreRefusedWithABadRequestStatusAndNeverForwarded() {
        requireStep(readerK8s != null, 1);
        int before = target.requests.size();
        String secrets = "/api/v1/namespaces/" + NS + "/secrets";
        for (String[] attack : new String[][] {
            {"GET", secrets + "%2F" + KubeTarget.SECRET},
            {"GET", "/api/v1/namespaces/" + NS + "/pods/..%2F..%2Fsecrets/" + KubeTarget.SECRET},
            {"GET", "/api/v1/namespaces/" + NS + "/pods/%2e%2e/secrets/" + KubeTarget.SECRET},
            {"GET", "/api/v1/namespaces/" + NS + "/pods/../secrets/" + KubeTarget.SECRET},
            {"GET", "/api/v1/namespaces/" + NS + "/pods/./" + KubeTarget.POD},
            {"GET", "/api//v1/namespaces/" + NS + "/pods"},
            {"GET", secrets + "/" + KubeTarget.SECRET + "%zz"},
            {"GET", secrets + "/" + KubeTarget.SECRET + "%00"},
            {"GET", secrets + "/" + KubeTarget.SECRET + "%5C"},
            {"GET", secrets + "/" + KubeTarget.SECRET + "%C3"},
            {"GET", secrets + "?watch=0&watch=1"},
            {"GET", secrets + "?watch=0;watch=1"},
            {"GET", secrets + "?fieldSelector=metadata.name%3Da,metadata.name%3Db"},
            {"GET", secrets + "?fieldSelector=%20metadata.name%3D" + KubeTarget.SECRET},
            {"DELETE", "//api/v1/namespaces/" + NS},
        }) {
            Curl r = curl(readerK8s, attack[0], PortcullisSuite.K8S, attack[1]);
            assertEquals(400, r.status(), r::toString);
            JsonNode status = r.json();
            assertEquals("Status", status.path("kind").asText(), r::toString);
            assertEquals("BadRequest", status.path("reason").asText(), r::toString);
            assertEquals(400, status.path("code").asInt(), r::toString);
        }
        Curl method = curl(readerK8s, "OPTIONS", PortcullisSuite.K8S, secrets);
        assertEquals(405, method.status(), method::toString);
        assertEquals("MethodNotAllowed", method.json().path("reason").asText(), method::toString);
        assertEquals(
                before,
                target.requests.size(),
                () -> "forwarded: " + target.requests.subList(before, target.requests.size()));
        assertTargetUnchanged(before);
    }

    @Test
    @Order(5)
    void anEncodedSecretReadIsReviewedAndADeniedReviewFetchesNothing() {
        requireStep(readerK8s != null, 1);
        int before = target.requests.size();
        Client held = start(
                readerK8s, "GET", PortcullisSuite.K8S, "/api/v1/namespaces/" + NS + "/%73ecrets/" + KubeTarget.SECRET);
        Curl r;
        try {
            JsonNode review = pendingReview(READER);
            assertEquals("secrets", review.path("request").path("resource").asText(), review::toString);
            assertEquals("get", review.path("request").path("verb").asText(), review::toString);
            assertEquals(
                    "/api/v1/namespaces/" + NS + "/secrets/" + KubeTarget.SECRET,
                    review.path("request").path("path").asText(),
                    "the approver is shown the path the API server would read");
            broker.decideReview(
                            keycloak.user(Keycloak.APPROVER), review.path("id").asText(), false)
                    .expect(200);
            r = Curl.of(held.await(Duration.ofSeconds(60)));
        } finally {
            held.kill();
        }
        assertEquals(403, r.status(), r::toString);
        assertEquals("Forbidden", r.json().path("reason").asText(), r::toString);
        assertNoneOf(r.body(), target.secretValues(), "the refused answer");
        assertTargetUnchanged(before);
        assertFalse(
                target.requests.subList(before, target.requests.size()).stream().anyMatch(q -> q.contains("secrets")),
                "the Secret was fetched although the review was denied");
    }

    @Test
    @Order(6)
    void aSecretAskedForAsYamlOrProtobufOrMetadataComesBackAsMaskedJson() {
        requireStep(readerK8s != null, 1);
        String one = "/api/v1/namespaces/" + NS + "/%73ecrets/" + KubeTarget.SECRET;
        String list = "/api/v1/namespaces/" + NS + "/secrets";
        String[][] asks = {
            {one, "application/yaml", "application/json"},
            {one, "application/vnd.kubernetes.protobuf", "application/json"},
            {
                list,
                "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
                        + "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            },
            {
                list + "?includeObject=Object",
                "application/json;as=Table;g=meta.k8s.io;v=v1",
                "application/json;as=Table;g=meta.k8s.io;v=v1"
            },
        };
        for (String[] ask : asks) {
            int before = target.requests.size();
            Client held = start(readerK8s, "GET", PortcullisSuite.K8S, ask[0], "Accept: " + ask[1]);
            Curl r;
            try {
                JsonNode review = pendingReview(READER);
                assertEquals("secrets", review.path("request").path("resource").asText(), review::toString);
                broker.decideReview(
                                keycloak.user(Keycloak.APPROVER),
                                review.path("id").asText(),
                                true)
                        .expect(200);
                // a prod connection: the second of two distinct approvers releases it (issue 15)
                broker.decideReview(
                                keycloak.user(Keycloak.SECOND_APPROVER),
                                review.path("id").asText(),
                                true)
                        .expect(200);
                r = Curl.of(held.await(Duration.ofSeconds(60)));
            } finally {
                held.kill();
            }
            assertEquals(200, r.status(), r::toString);
            assertTrue(r.contentType().startsWith("application/json"), r::toString);
            assertNoneOf(r.body(), target.secretValues(), "a Secret asked for as " + ask[1]);
            assertTrue(r.body().contains(REDACTED_B64), r::toString);
            assertTrue(r.body().contains("[REDACTED]"), () -> "the last-applied annotation is masked: " + r);
            List<String> seen = target.requests.subList(before, target.requests.size());
            assertEquals(1, seen.size(), seen::toString);
            assertTrue(seen.getFirst().startsWith("GET /api/v1/namespaces/" + NS + "/secrets"), seen::toString);
            assertFalse(seen.getFirst().contains("%"), () -> "forwarded in canonical form: " + seen);
            assertEquals(ask[2], target.accepts.get(before), "the Accept the API server was sent");
        }
    }

    @Test
    @Order(7)
    void anEphemeralContainerAndAServiceAccountTokenOnProdWaitForAReviewAndADenialChangesNothing() {
        requireStep(writerKubeconfig != null, 1);
        int before = target.requests.size();
        Client debug = kubectl.start(
                writerKubeconfig, "debug", KubeTarget.POD, "--image=registry.example/debug:1", "--target=api", "-q");
        Client.Result debugged;
        try {
            JsonNode review = pendingReview(WRITER);
            assertEquals("pods", review.path("request").path("resource").asText(), review::toString);
            assertEquals(
                    "ephemeralcontainers",
                    review.path("request").path("subresource").asText(),
                    review::toString);
            broker.decideReview(
                            keycloak.user(Keycloak.APPROVER), review.path("id").asText(), false)
                    .expect(200);
            debugged = debug.await(Duration.ofSeconds(60));
        } finally {
            debug.kill();
        }
        assertFalse(debugged.exit() == 0, debugged::toString);
        assertTrue(debugged.err().contains("(Forbidden)"), debugged::toString);
        var ephemeral = target.direct()
                .pods()
                .inNamespace(NS)
                .withName(KubeTarget.POD)
                .get()
                .getSpec()
                .getEphemeralContainers();
        assertTrue(ephemeral == null || ephemeral.isEmpty(), "an ephemeral container was added");

        Client token = kubectl.start(writerKubeconfig, "create", "token", "default");
        Client.Result created;
        try {
            JsonNode review = pendingReview(WRITER);
            assertEquals(
                    "serviceaccounts", review.path("request").path("resource").asText(), review::toString);
            assertEquals("token", review.path("request").path("subresource").asText(), review::toString);
            broker.decideReview(
                            keycloak.user(Keycloak.APPROVER), review.path("id").asText(), false)
                    .expect(200);
            created = token.await(Duration.ofSeconds(60));
        } finally {
            token.kill();
        }
        assertFalse(created.exit() == 0, created::toString);
        // kubectl create token prints the Status message without the reason: "failed to create token: …"
        assertTrue(
                created.err().contains("Portcullis: review ") && created.err().contains(" was denied"),
                created::toString);
        List<String> seen = target.requests.subList(before, target.requests.size());
        assertFalse(
                seen.stream().anyMatch(q -> q.contains("/ephemeralcontainers") || q.contains("/token")),
                () -> "a reviewed request reached the API server after its denial: " + seen);
        assertTargetUnchanged(before);
    }

    @Test
    @Order(8)
    void aReadTokenOnAPlainHttpConnectionReadsButCannotWrite() {
        requireStep(readerWeb != null, 1);
        Curl read = curl(readerWeb, "GET", PortcullisSuite.WEB, "/api/v1/namespaces/" + NS + "/pods");
        assertEquals(200, read.status(), read::toString);
        assertTrue(read.body().contains(KubeTarget.POD), read::toString);
        int before = target.requests.size();
        String pod = "/api/v1/namespaces/" + NS + "/pods/" + KubeTarget.POD;
        String[][] writes = {
            {"DELETE", pod},
            {"DELETE", "/api/v1/namespaces/" + NS},
            {"PATCH", pod},
            {"PUT", pod},
            {"POST", "/api/v1/namespaces/" + NS + "/configmaps"},
            {"OPTIONS", pod},
        };
        for (String[] w : writes) {
            Curl r = curl(readerWeb, w[0], PortcullisSuite.WEB, w[1], "Content-Type: application/merge-patch+json");
            assertEquals(403, r.status(), r::toString);
            assertTrue(r.contentType().startsWith("application/problem+json"), r::toString);
            assertTrue(r.json().path("detail").asText().contains("http-read-access-is-read-only"), r::toString);
        }
        assertEquals(
                before,
                target.requests.size(),
                () -> "a write reached the target: " + target.requests.subList(before, target.requests.size()));
        assertTargetUnchanged(before);
    }

    // ------------------------------------------------------------------------------ helpers

    /** Namespace, pod, Secret (with its value) and ConfigMap are all still there, and no write reached the target since {@code from}. */
    private void assertTargetUnchanged(int from) {
        var kube = target.direct();
        assertNotNull(kube.namespaces().withName(NS).get(), "the namespace was deleted");
        assertNotNull(kube.pods().inNamespace(NS).withName(KubeTarget.POD).get(), "the pod was deleted");
        var secret = kube.secrets().inNamespace(NS).withName(KubeTarget.SECRET).get();
        assertNotNull(secret, "the Secret was deleted");
        assertTrue(target.secretValues().contains(secret.getData().get("password")), "the Secret was changed");
        assertNotNull(
                kube.configMaps()
                        .inNamespace(NS)
                        .withName(KubeTarget.CONFIG_MAP)
                        .get(),
                "the ConfigMap was deleted");
        List<String> seen = target.requests.subList(from, target.requests.size());
        assertFalse(
                seen.stream().anyMatch(q -> !q.startsWith("GET ")),
                () -> "a request other than GET reached the API server: " + seen);
    }

    private JsonNode pendingReview(String agent) {
        return Poll.until("a pending review for " + agent, Duration.ofSeconds(60), () -> {
            List<JsonNode> pending = broker.pendingReviews(agent, PortcullisSuite.K8S);
            return pending.size() == 1 ? pending.get(0) : null;
        });
    }

    private String agentToken(String agent) {
        Broker.CreatedAgent created = broker.createAgent(agent);
        return keycloak.agent(agent, created.clientSecret());
    }

    private Path headerFile(String token) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("auth-" + files.incrementAndGet() + ".header");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, "Authorization: Bearer " + token + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** curl's answer: the body, then on the last line the status and content type ({@code -w}). */
    record Curl(int status, String contentType, String body, String err) {
        static Curl of(Client.Result r) {
            String out = r.out();
            int nl = out.lastIndexOf('\n');
            if (r.exit() != 0 || nl < 0) {
                throw new AssertionError("curl failed: " + r);
            }
            String[] tail = out.substring(nl + 1).split(" ", 2);
            return new Curl(Integer.parseInt(tail[0]), tail.length > 1 ? tail[1] : "", out.substring(0, nl), r.err());
        }

        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + "\n" + body + "\n" + err;
        }
    }

    private Curl curl(Path auth, String method, String connection, String path, String... headers) {
        return Curl.of(start(auth, method, connection, path, headers).await(Duration.ofSeconds(60)));
    }

    /** Starts curl sending {@code path} exactly as written ({@code --path-as-is}: no dot-segment squashing). */
    private Client start(Path auth, String method, String connection, String path, String... headers) {
        List<String> cmd = new ArrayList<>(List.of(
                "curl",
                "-sS",
                "--path-as-is",
                "--cacert",
                suite.proxyCa().toString(),
                "-X",
                method,
                "-H",
                "@" + auth,
                "-o",
                "-",
                "-w",
                "\\n%{http_code} %{content_type}"));
        for (String h : headers) {
            cmd.add("-H");
            cmd.add(h);
        }
        if (!method.equals("GET") && !method.equals("DELETE") && !method.equals("OPTIONS")) {
            cmd.add("--data-binary");
            cmd.add("{}");
        }
        cmd.add("https://localhost:" + suite.proxyHttpsPort() + "/" + connection + path);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", dir.toString()); // no ~/.curlrc of whoever runs the tests
        return Client.start("curl", pb);
    }
}
