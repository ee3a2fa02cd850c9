package dev.portcullis.it.journey;

import static dev.portcullis.it.journey.Checks.assertNoJwt;
import static dev.portcullis.it.journey.Checks.assertNoneOf;
import static dev.portcullis.it.journey.Checks.requireStep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journey of issue 8 over the Kubernetes API gateway, against the packaged services with the
 * real {@code kubectl} as the agent's client. The API server behind it is fabric8's mock in CRUD
 * mode behind TLS ({@link KubeTarget}): the one component of the suite that is not the real thing,
 * because no kube-apiserver can run on the build machines. An admin creates agent
 * {@code kube-runner} and grants it read on {@code k8s-prod}; the agent lists pods, reads a
 * ConfigMap with its e-mail and card number masked, reads a Secret after an approver lets the
 * default pack's review through (values masked), and is refused a delete (403 {@code Status});
 * the auditor finds every session complete, downloadable with a matching SHA-256, and no secret in
 * any recording.
 *
 * <p>kubectl is not a Debian package and {@code .ci/run} cannot install it: without it the class
 * is skipped, saying so (as session-proxy's KubernetesGatewayTest is).
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesJourneyIT {

    static final String AGENT = "kube-runner";
    static final String CONNECTION = PortcullisSuite.K8S;
    static final String NS = KubeTarget.NAMESPACE;
    static final String REDACTED_B64 =
            Base64.getEncoder().encodeToString("[REDACTED]".getBytes(StandardCharsets.UTF_8));

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;
    Kubectl kubectl;
    KubeTarget target;

    String agentSecret;
    Path kubeconfig;
    /** The review the approver decided for the Secret read. */
    String reviewId;

    boolean deleteRefused;
    /** Tokens, secrets and passwords seen in this journey: none may appear in a recording. */
    final Set<String> secrets = new LinkedHashSet<>();

    @BeforeAll
    void suite(PortcullisSuite suite) {
        Assumptions.assumeTrue(
                Client.installed("kubectl"),
                "kubectl is not installed: KubernetesJourneyIT is skipped (install kubectl to run it)");
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.recorder = new Recorder(suite.recorderUrl(), keycloak);
        this.target = suite.kubeTarget();
        this.kubectl = new Kubectl(
                suite.proxyHttpsPort(), suite.proxyCa(), suite.home().resolve("clients/kube"));
        secrets.addAll(Keycloak.DEV_PASSWORDS.values());
        secrets.addAll(target.secretValues());
    }

    // ------------------------------------------------------------------------------ 1

    @Test
    @Order(1)
    void adminCreatesTheAgentAndGrantsReadOnTheKubernetesConnection() {
        Broker.CreatedAgent created = broker.createAgent(AGENT);
        assertNotNull(created.clientSecret(), "the client secret is returned once, at creation");
        agentSecret = created.clientSecret();
        secrets.add(agentSecret);
        assertEquals(403, broker.mint(agentToken(), CONNECTION, "read").status(), "minted without a grant");

        JsonNode grant = broker.grant(AGENT, CONNECTION, "read");
        assertEquals("active", grant.path("status").asText(), grant::toString);
        assertEquals("conn:" + CONNECTION + ":read", grant.path("scope").asText());

        JsonNode minted =
                broker.mint(agentToken(), CONNECTION, "read").expect(200).json();
        String token = minted.path("access_token").asText();
        secrets.add(token);
        // the broker's hint names session-proxy's TLS listener and this connection
        assertEquals(
                "https://127.0.0.1:" + suite.proxyHttpsPort() + "/" + CONNECTION,
                minted.path("connection").path("server").asText(),
                minted.path("connection")::toString);
        assertTrue(List.of(Keycloak.claims(token).path("scope").asText().split(" "))
                .contains("conn:" + CONNECTION + ":read"));
        kubeconfig = kubectl.kubeconfig(CONNECTION, NS, token);
    }

    // ------------------------------------------------------------------------------ 2

    @Test
    @Order(2)
    void kubectlListsPodsAndReadsAConfigMapWithSensitiveValuesMasked() {
        requireStep(kubeconfig != null, 1);
        Client.Result pods = kubectl.run(kubeconfig, "get", "pods", "-o", "name");
        assertEquals(0, pods.exit(), pods::toString);
        assertEquals("pod/" + KubeTarget.POD, pods.out().strip(), pods::toString);

        Client.Result cm = kubectl.run(kubeconfig, "get", "configmap", KubeTarget.CONFIG_MAP, "-o", "json");
        assertEquals(0, cm.exit(), cm::toString);
        JsonNode data = json(cm.out()).path("data");
        List<String> customer = PortcullisSuite.CUSTOMERS.get(1);
        assertEquals(customer.get(0), data.path("owner").asText(), "a name is not sensitive and comes back as stored");
        assertFalse(data.path("contact").asText().contains("@"), "the e-mail came back unmasked");
        String card = customer.get(2);
        assertTrue(
                data.path("card").asText().endsWith(card.substring(card.length() - 4)),
                () -> "card masked to its last 4: " + data);
        assertNoneOf(cm.out() + cm.err(), PortcullisSuite.sensitiveCustomerValues(), "kubectl output");
    }

    @Test
    @Order(3)
    void readingASecretWaitsForAnApproverAndComesBackMasked() {
        requireStep(kubeconfig != null, 1);
        Client held = kubectl.start(kubeconfig, "get", "secret", KubeTarget.SECRET, "-o", "yaml");
        Client.Result ran;
        try {
            // the default pack reviews reading secrets on env=prod: the request waits at the proxy
            JsonNode review =
                    Poll.until("a pending review of the Secret read at the broker", Duration.ofSeconds(60), () -> {
                        List<JsonNode> pending = broker.pendingReviews(AGENT, CONNECTION);
                        return pending.size() == 1 ? pending.get(0) : null;
                    });
            reviewId = review.path("id").asText();
            assertEquals("secrets", review.path("request").path("resource").asText(), review::toString);
            assertEquals("get", review.path("request").path("verb").asText(), review::toString);
            assertTrue(held.isAlive(), "kubectl waits while its request is held");
            assertFalse(
                    target.requests.stream().anyMatch(r -> r.contains("/secrets/")),
                    "the Secret was fetched from the API server before the approval");

            // a prod connection: two distinct approvers (issue 15)
            JsonNode first = broker.decideReview(keycloak.user(Keycloak.APPROVER), reviewId, true)
                    .expect(200)
                    .json();
            assertEquals("pending", first.path("status").asText(), first::toString);
            JsonNode approved = broker.decideReview(keycloak.user(Keycloak.SECOND_APPROVER), reviewId, true)
                    .expect(200)
                    .json();
            assertEquals("approved", approved.path("status").asText(), approved::toString);
            ran = held.await(Duration.ofSeconds(60));
        } finally {
            held.kill(); // a failed step leaves no kubectl behind
        }
        Client.Result read = ran;
        assertEquals(0, read.exit(), read::toString);
        assertTrue(read.out().contains("password: " + REDACTED_B64), read::toString);
        assertTrue(read.out().contains("username: " + REDACTED_B64), read::toString);
        // the annotation kubectl apply leaves holds the whole Secret: it is masked as a whole
        String annotation = read.out()
                .lines()
                .filter(l -> l.contains("kubectl.kubernetes.io/last-applied-configuration"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no last-applied annotation in " + read));
        assertTrue(annotation.contains("[REDACTED]"), annotation);
        assertNoneOf(read.out() + read.err(), target.secretValues(), "kubectl's Secret output");
    }

    @Test
    @Order(4)
    void deleteWithAReadGrantIsRefusedWithA403StatusAndThePodStillExists() {
        requireStep(kubeconfig != null, 1);
        Client.Result refused = kubectl.run(kubeconfig, "delete", "pod", KubeTarget.POD, "--wait=false");
        assertNotEquals(0, refused.exit(), refused::toString);
        // kubectl prints "(Forbidden)" from the reason of a 403 Status
        assertTrue(
                refused.err()
                        .contains("Error from server (Forbidden): Portcullis: denied by policy: "
                                + "rule k8s-read-access-is-read-only: this token grants read access only"),
                refused::toString);
        deleteRefused = true;
        assertNotNull(
                target.direct().pods().inNamespace(NS).withName(KubeTarget.POD).get(), "the pod was deleted");
        assertFalse(
                target.requests.stream().anyMatch(r -> r.startsWith("DELETE ")),
                () -> "a DELETE reached the API server: " + target.requests);
        assertTrue(
                target.onlyServiceAccountTokenSeen(),
                "the API server saw a credential other than the connection's service-account token");
    }

    // ------------------------------------------------------------------------------ 5

    @Test
    @Order(5)
    void auditorFindsEverySessionCompleteWithMatchingDigestAndNoSecret() {
        requireStep(reviewId != null && deleteRefused, 4);
        List<Recording> recordings = Poll.until(
                "the kubectl sessions of " + AGENT + " complete, with every request", Duration.ofSeconds(90), () -> {
                    List<JsonNode> listed = recorder.sessions(AGENT);
                    if (listed.isEmpty()
                            || !listed.stream()
                                    .allMatch(s ->
                                            "complete".equals(s.path("status").asText()))) {
                        return null;
                    }
                    List<Recording> all = new ArrayList<>();
                    for (JsonNode s : listed) {
                        assertEquals(CONNECTION, s.path("connection").asText(), s::toString);
                        assertEquals("kubernetes", s.path("protocol").asText(), s::toString);
                        all.add(recorder.downloadVerified(s.path("session_id").asText()));
                    }
                    return requests(all, "list", "pods").isEmpty()
                                    || requests(all, "get", "secrets").isEmpty()
                                    || requests(all, "delete", "pods").isEmpty()
                            ? null
                            : all;
                });

        assertEquals(
                List.of("allow"),
                actions(recordings, requests(recordings, "list", "pods").get(0)),
                "list pods");
        assertEquals(
                List.of("allow"),
                actions(recordings, requests(recordings, "get", "configmaps").get(0)),
                "get configmap");
        assertEquals(
                List.of("deny"),
                actions(recordings, requests(recordings, "delete", "pods").get(0)),
                "delete pod");
        Recording.Line secretRead = requests(recordings, "get", "secrets").get(0);
        List<String> secretActions = actions(recordings, secretRead);
        assertEquals(
                "review", secretActions.getFirst(), () -> "policy reviews a Secret read on prod: " + secretActions);
        assertEquals("allow", secretActions.getLast(), () -> "the approved Secret read ran: " + secretActions);
        Recording.Line approval = decisions(recordings, secretRead).getLast();
        assertEquals(reviewId, approval.data().path("review_id").asText(), approval.event()::toString);
        assertEquals("approved", approval.data().path("state").asText(), approval.event()::toString);
        assertEquals(
                200, output(recordings, secretRead).path("status").asInt(), "the Secret was served after the approval");
        assertEquals(
                403,
                output(recordings, requests(recordings, "delete", "pods").get(0))
                        .path("status")
                        .asInt());

        long denials = 0;
        long reviews = 0;
        for (JsonNode s : recorder.sessions(AGENT)) {
            denials += s.path("denials").asLong();
            reviews += s.path("reviews").asLong();
        }
        assertEquals(1, denials, "the delete was denied, nothing else");
        assertEquals(1, reviews, "the Secret read was reviewed, once");
        for (Recording rec : recordings) {
            assertEquals(1, rec.ofType(EventTypes.SESSION_STARTED).size());
            assertEquals(1, rec.ofType(EventTypes.SESSION_ENDED).size());
            assertEquals(
                    EventTypes.SESSION_ENDED,
                    rec.lines.getLast().type(),
                    () -> "an event after session.ended: " + rec.lines.getLast().event());
            assertNoneOf(rec.text(), secrets, "a recording");
            assertNoneOf(rec.text(), PortcullisSuite.sensitiveCustomerValues(), "a recording");
            assertNoJwt(rec.text(), "a recording");
        }
    }

    // ------------------------------------------------------------------------------ helpers

    private String agentToken() {
        String t = keycloak.agent(AGENT, agentSecret);
        secrets.add(t);
        return t;
    }

    /** The recorded requests with this verb on this resource, over all recordings. */
    private static List<Recording.Line> requests(List<Recording> recordings, String verb, String resource) {
        return recordings.stream()
                .flatMap(r -> r.ofType(EventTypes.SESSION_REQUEST).stream())
                .filter(l -> verb.equals(l.data().path("verb").asText())
                        && resource.equals(l.data().path("resource").asText()))
                .toList();
    }

    private static Recording owner(List<Recording> recordings, Recording.Line request) {
        return recordings.stream()
                .filter(r -> r.lines.contains(request))
                .findFirst()
                .orElseThrow();
    }

    private static List<Recording.Line> decisions(List<Recording> recordings, Recording.Line request) {
        return owner(recordings, request).ofType(EventTypes.SESSION_DECISION).stream()
                .filter(d -> d.data().path("request_seq").asLong(-1) == request.seq())
                .toList();
    }

    private static List<String> actions(List<Recording> recordings, Recording.Line request) {
        return decisions(recordings, request).stream()
                .map(d -> d.data().path("action").asText())
                .toList();
    }

    private static JsonNode output(List<Recording> recordings, Recording.Line request) {
        return owner(recordings, request).ofType(EventTypes.SESSION_OUTPUT).stream()
                .filter(o -> o.data().path("request_seq").asLong(-1) == request.seq())
                .map(Recording.Line::data)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no output recorded for " + request.event()));
    }

    private static JsonNode json(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("kubectl printed no JSON: " + text, e);
        }
    }
}
