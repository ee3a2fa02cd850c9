package dev.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.it.manifests.KustomizeRenderer;
import dev.portcullis.it.manifests.KustomizeRendererTestSupport;
import dev.portcullis.it.manifests.ManifestChecker;
import dev.portcullis.it.manifests.ManifestChecker.Expectations;
import dev.portcullis.it.manifests.RealmImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kubernetes/ is consistent: base and overlays/openshift are rendered with the Java renderer
 * (always) and with {@code kubectl kustomize} (when kubectl is on the PATH), parsed with the fabric8
 * model and checked. Negative tests prove each check can fail.
 */
class ManifestConsistencyTest {

    private static final Logger LOG = Logger.getLogger(ManifestConsistencyTest.class.getName());
    private static final String PROXY = "session-proxy";

    static Path root;
    static Path base;
    static Path openshift;
    static Set<String> requiredSecrets;
    static Set<String> topics;

    @BeforeAll
    static void locate() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("kubernetes/base"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "kubernetes/base not found above " + Path.of("").toAbsolutePath());
        root = dir;
        base = root.resolve("kubernetes/base");
        openshift = root.resolve("kubernetes/overlays/openshift");
        requiredSecrets = readRequiredSecrets(base.resolve("required-secrets.txt"));
        topics = new LinkedHashSet<>(Topics.ALL);
    }

    // ------------------------------------------------------------------ the real manifests

    @Test
    void baseIsConsistent() {
        List<String> problems = new ManifestChecker(KustomizeRenderer.render(base))
                .checkAll(new Expectations(requiredSecrets, topics, false, PROXY));
        assertEquals(List.of(), problems, "base");
    }

    @Test
    void openshiftOverlayIsConsistent() {
        List<ObjectNode> rendered = KustomizeRenderer.render(openshift);
        List<String> problems =
                new ManifestChecker(rendered).checkAll(new Expectations(requiredSecrets, topics, true, PROXY));
        assertEquals(List.of(), problems, "overlays/openshift");
        assertTrue(
                rendered.stream()
                        .allMatch(o -> "portcullis"
                                .equals(o.path("metadata").path("namespace").asText())),
                "every object of the overlay is in namespace portcullis");
    }

    @Test
    void kubectlKustomizeRendersTheSameAndIsConsistent() {
        for (Path dir : List.of(base, openshift)) {
            Optional<List<ObjectNode>> kubectl = KustomizeRenderer.renderWithKubectl(dir);
            if (kubectl.isEmpty()) {
                LOG.warning("kubectl is not on the PATH: skipping the `kubectl kustomize` rendering of "
                        + root.relativize(dir) + " (the Java rendering is still checked by the other tests)");
                return;
            }
            boolean ocp = dir.equals(openshift);
            List<String> problems =
                    new ManifestChecker(kubectl.get()).checkAll(new Expectations(requiredSecrets, topics, ocp, PROXY));
            assertEquals(List.of(), problems, "kubectl kustomize " + root.relativize(dir));
            assertEquals(
                    sorted(kubectl.get()),
                    sorted(KustomizeRenderer.render(dir)),
                    "the Java renderer and kubectl kustomize disagree on " + root.relativize(dir));
        }
    }

    /**
     * The KafkaTopics of the manifests are exactly contracts' topics (none missing, none left over), and every topic
     * a KafkaUser's ACL names is one of them.
     */
    @Test
    void kafkaTopicsAreExactlyTheContractsTopics() {
        for (Path dir : List.of(base, openshift)) {
            List<ObjectNode> rendered = KustomizeRenderer.render(dir);
            Set<String> declared = new LinkedHashSet<>();
            Set<String> inAcls = new LinkedHashSet<>();
            for (ObjectNode o : rendered) {
                if ("KafkaTopic".equals(o.path("kind").asText())) {
                    JsonNode name = o.at("/spec/topicName");
                    declared.add(
                            name.isTextual()
                                    ? name.asText()
                                    : o.at("/metadata/name").asText());
                }
                if ("KafkaUser".equals(o.path("kind").asText())) {
                    for (JsonNode acl : o.at("/spec/authorization/acls")) {
                        if ("topic".equals(acl.at("/resource/type").asText())) {
                            inAcls.add(acl.at("/resource/name").asText());
                        }
                    }
                }
            }
            assertEquals(Set.copyOf(Topics.ALL), declared, "KafkaTopics of " + root.relativize(dir));
            assertTrue(
                    Topics.ALL.containsAll(inAcls),
                    "topics in KafkaUser ACLs of " + root.relativize(dir) + ": " + inAcls);
        }
    }

    @Test
    void realmImportIsInSyncWithTheRealmWithoutDevParts() throws IOException {
        JsonNode dev = new ObjectMapper()
                .readTree(root.resolve("keycloak-realm/portcullis-realm.json").toFile());
        String consoleUrl = find(baseCopy(), "ConfigMap", "portcullis-endpoints")
                .at("/data/PORTCULLIS_CONSOLE_URL")
                .asText();
        ObjectNode expected = RealmImport.production(dev, consoleUrl);
        JsonNode cr = KustomizeRenderer.readDocuments(base.resolve("dependencies/keycloak-realm-import.yaml"))
                .get(0);
        assertEquals("KeycloakRealmImport", cr.path("kind").asText());
        assertEquals(
                expected,
                cr.path("spec").path("realm"),
                "kubernetes/base/dependencies/keycloak-realm-import.yaml is out of sync with keycloak-realm/portcullis-realm.json;"
                        + " run kubernetes/hack/realm-import.sh");
        // nothing of the dev realm's secrets, users or dev clients is left
        String realmText = cr.path("spec").path("realm").toString();
        for (String devOnly : List.of(
                "-dev-secret",
                "dev-password",
                "alice-admin",
                "bob-approver",
                "carol-auditor",
                "dave-approver",
                "demo-agent",
                "portcullis-cli",
                "conn:pg-demo",
                // the console's dev redirect URIs
                "127.0.0.1",
                "localhost")) {
            assertFalse(realmText.contains(devOnly), "production realm still contains " + devOnly);
        }
        // every placeholder used by a client is declared and filled from the Secret the service reads
        for (JsonNode c : cr.path("spec").path("realm").path("clients")) {
            if (c.has("secret")) {
                String ph = RealmImport.placeholder(c.get("clientId").asText());
                assertEquals("${" + ph + "}", c.get("secret").asText());
                JsonNode secret = cr.path("spec").path("placeholders").path(ph).path("secret");
                assertEquals(
                        c.get("clientId").asText() + "-oidc",
                        secret.path("name").asText(),
                        ph);
                assertEquals("client-secret", secret.path("key").asText(), ph);
            }
        }
        assertEquals(
                Set.of("identity-broker", "session-proxy", "policy-service", "recorder-service", "portcullis-console"),
                Set.copyOf(cr.path("spec").path("realm").path("clients").findValuesAsText("clientId")));
    }

    // ------------------------------------------------------------------ each check can fail

    private static List<ObjectNode> baseCopy() {
        return KustomizeRenderer.render(base);
    }

    private static ObjectNode find(List<ObjectNode> objs, String kind, String name) {
        return objs.stream()
                .filter(o -> kind.equals(o.path("kind").asText())
                        && name.equals(o.path("metadata").path("name").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    private static ObjectNode container(List<ObjectNode> objs, String deployment) {
        return (ObjectNode) find(objs, "Deployment", deployment).at("/spec/template/spec/containers/0");
    }

    private static void assertFails(
            Consumer<List<ObjectNode>> breakIt, Function<ManifestChecker, List<String>> check, String expect) {
        List<ObjectNode> good = baseCopy();
        assertEquals(List.of(), check.apply(new ManifestChecker(good)), "the unbroken base passes this check");
        List<ObjectNode> broken = baseCopy();
        breakIt.accept(broken);
        List<String> problems = check.apply(new ManifestChecker(broken));
        assertTrue(
                problems.stream().anyMatch(p -> p.contains(expect)),
                "expected a problem containing '" + expect + "' but got " + problems);
    }

    @Test
    void serviceSelectorThatMatchesNoPodFails() {
        assertFails(
                o -> ((ObjectNode) find(o, "Service", "identity-broker").at("/spec/selector"))
                        .put("app.kubernetes.io/name", "identity-brokr"),
                ManifestChecker::checkServiceSelectors,
                "matches no pod template");
        assertFails(
                o -> ((ObjectNode) find(o, "Service", "session-proxy").at("/spec/ports/1")).put("targetPort", "pg"),
                ManifestChecker::checkServiceSelectors,
                "targetPort 'pg'");
    }

    @Test
    void missingConfigMapOrKeyFails() {
        assertFails(
                o -> o.remove(find(o, "ConfigMap", "portcullis-policies")),
                ManifestChecker::checkConfigMapReferences,
                "missing ConfigMap portcullis-policies");
        assertFails(
                o -> ((ObjectNode) find(o, "ConfigMap", "portcullis-endpoints").get("data")).remove("KEYCLOAK_ISSUER"),
                ManifestChecker::checkConfigMapReferences,
                "has no key KEYCLOAK_ISSUER");
    }

    @Test
    void unlistedOrCommittedSecretFails() {
        Set<String> withoutTls = new LinkedHashSet<>(requiredSecrets);
        withoutTls.remove("session-proxy-tls");
        List<String> p = new ManifestChecker(baseCopy()).checkSecretReferences(withoutTls);
        assertTrue(p.stream().anyMatch(s -> s.contains("Secret session-proxy-tls")), p.toString());
        // a CNPG-generated secret is accepted only while its Cluster is in the manifests
        assertFails(
                o -> o.remove(find(o, "Cluster", "broker-db")),
                c -> c.checkSecretReferences(requiredSecrets),
                "references Secret broker-db-app");
        // committing a Secret with values is refused
        assertFails(
                o -> o.add(KustomizeRendererTestSupport.secret("session-proxy-masking")),
                c -> c.checkSecretReferences(requiredSecrets),
                "Secrets with values are committed");
        // a stale entry of required-secrets.txt is reported
        Set<String> stale = new LinkedHashSet<>(requiredSecrets);
        stale.add("no-longer-used");
        assertTrue(new ManifestChecker(baseCopy())
                .checkSecretReferences(stale).stream().anyMatch(s -> s.contains("no-longer-used")));
    }

    @Test
    void missingServiceAccountFails() {
        assertFails(
                o -> o.remove(find(o, "ServiceAccount", "policy-service")),
                ManifestChecker::checkServiceAccounts,
                "missing ServiceAccount policy-service");
    }

    @Test
    void containerWithoutProbesLimitsOrHardeningFails() {
        assertFails(
                o -> container(o, "recorder-service").remove("livenessProbe"),
                ManifestChecker::checkContainers,
                "has no livenessProbe");
        assertFails(
                o -> container(o, "recorder-service").remove("readinessProbe"),
                ManifestChecker::checkContainers,
                "has no readinessProbe");
        assertFails(
                o -> ((ObjectNode) container(o, PROXY).at("/resources")).remove("limits"),
                ManifestChecker::checkContainers,
                "has no memory limit");
        assertFails(
                o -> ((ObjectNode) container(o, PROXY).at("/resources/requests")).remove("cpu"),
                ManifestChecker::checkContainers,
                "has no cpu request");
        assertFails(
                o -> {
                    ((ObjectNode) container(o, "identity-broker").get("securityContext")).remove("runAsNonRoot");
                    ((ObjectNode) find(o, "Deployment", "identity-broker").at("/spec/template/spec/securityContext"))
                            .remove("runAsNonRoot");
                },
                ManifestChecker::checkContainers,
                "is not runAsNonRoot");
        assertFails(
                o -> ((ObjectNode) container(o, "policy-service").get("securityContext"))
                        .put("readOnlyRootFilesystem", false),
                ManifestChecker::checkContainers,
                "has no readOnlyRootFilesystem");
        assertFails(
                o -> ((ArrayNode) container(o, "policy-service").get("volumeMounts")).remove(0),
                ManifestChecker::checkContainers,
                "no writable /tmp");
        assertFails(
                o -> ((ObjectNode) container(o, PROXY).get("securityContext")).put("allowPrivilegeEscalation", true),
                ManifestChecker::checkContainers,
                "allowPrivilegeEscalation");
        assertFails(
                o -> ((ObjectNode) container(o, PROXY).get("securityContext")).remove("capabilities"),
                ManifestChecker::checkContainers,
                "does not drop ALL");
        assertFails(
                o -> ((ObjectNode) find(o, "Deployment", PROXY).at("/spec/template/spec")).remove("securityContext"),
                ManifestChecker::checkContainers,
                "seccompProfile");
    }

    @Test
    void fixedUidFailsOnOpenShift() {
        List<ObjectNode> o = KustomizeRenderer.render(openshift);
        assertEquals(List.of(), new ManifestChecker(o).checkNoFixedIds());
        ((ObjectNode) find(o, "Deployment", PROXY).at("/spec/template/spec/securityContext")).put("fsGroup", 1001);
        List<String> p = new ManifestChecker(o).checkNoFixedIds();
        assertTrue(p.stream().anyMatch(s -> s.contains("fsGroup")), p.toString());
    }

    @Test
    void brokenRouteFails() {
        List<ObjectNode> o = KustomizeRenderer.render(openshift);
        assertEquals(List.of(), new ManifestChecker(o).checkRoutes());
        ((ObjectNode) find(o, "Route", "recorder-service").at("/spec/to")).put("name", "recorder");
        ((ObjectNode) find(o, "Route", "identity-broker").at("/spec")).remove("tls");
        List<String> p = new ManifestChecker(o).checkRoutes();
        assertTrue(p.stream().anyMatch(s -> s.contains("missing Service recorder")), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("Route/identity-broker has no TLS")), p.toString());
    }

    @Test
    void missingTopicFails() {
        assertFails(
                o -> o.remove(find(o, "KafkaTopic", Topics.REVIEW_DECISIONS)),
                c -> c.checkTopics(topics),
                "topic " + Topics.REVIEW_DECISIONS + " has no KafkaTopic");
    }

    @Test
    void missingHpaOrPdbFails() {
        assertFails(
                o -> o.remove(find(o, "HorizontalPodAutoscaler", PROXY)),
                c -> c.checkScaling(PROXY),
                "no HorizontalPodAutoscaler");
        assertFails(
                o -> o.remove(find(o, "PodDisruptionBudget", PROXY)),
                c -> c.checkScaling(PROXY),
                "no PodDisruptionBudget");
    }

    @Test
    void aGracePeriodShorterThanTheDrainOrNoShutdownDelayFails() {
        assertFails(
                o -> ((ObjectNode) find(o, "Deployment", PROXY).at("/spec/template/spec"))
                        .put("terminationGracePeriodSeconds", 50),
                c -> c.checkDrain(PROXY),
                "terminationGracePeriodSeconds 50 is less than");
        assertFails(
                o -> ((ObjectNode) find(o, "Deployment", PROXY).at("/spec/template/spec"))
                        .remove("terminationGracePeriodSeconds"),
                c -> c.checkDrain(PROXY),
                "terminationGracePeriodSeconds (default 30)");
        assertFails(
                o -> env(o, PROXY, "QUARKUS_SHUTDOWN_DELAY").put("value", "0"),
                c -> c.checkDrain(PROXY),
                "QUARKUS_SHUTDOWN_DELAY is 0");
        assertFails(
                o -> env(o, PROXY, "PORTCULLIS_SHUTDOWN_DRAIN_TIMEOUT").put("value", "PT1M"),
                c -> c.checkDrain(PROXY),
                "is less than");
        assertFails(
                o -> {
                    ArrayNode env = (ArrayNode) container(o, PROXY).get("env");
                    for (int i = env.size() - 1; i >= 0; i--) {
                        if ("QUARKUS_SHUTDOWN_DELAY"
                                .equals(env.get(i).path("name").asText())) {
                            env.remove(i);
                        }
                    }
                },
                c -> c.checkDrain(PROXY),
                "sets no QUARKUS_SHUTDOWN_DELAY");
    }

    private static ObjectNode env(List<ObjectNode> objs, String deployment, String name) {
        for (JsonNode e : container(objs, deployment).get("env")) {
            if (name.equals(e.path("name").asText())) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError(deployment + " has no env " + name);
    }

    @Test
    void missingOrTooOpenNetworkPolicyFails() {
        assertFails(
                o -> o.remove(find(o, "NetworkPolicy", "default-deny-all")),
                c -> c.checkNetworkPolicies(PROXY),
                "no default-deny");
        assertFails(
                o -> o.remove(find(o, "NetworkPolicy", "policy-service")),
                c -> c.checkNetworkPolicies(PROXY),
                "Deployment/policy-service has no NetworkPolicy");
        // giving the recorder the proxy's "anything outside" egress is refused
        assertFails(
                o -> ((ObjectNode) find(o, "NetworkPolicy", "session-proxy-to-targets")
                                .at("/spec/podSelector/matchLabels"))
                        .put("app.kubernetes.io/name", "recorder-service"),
                c -> c.checkNetworkPolicies(PROXY),
                "lets pods other than session-proxy");
    }

    @Test
    void issuerMismatchFails() {
        assertFails(
                o -> ((ObjectNode) find(o, "ConfigMap", "portcullis-endpoints").get("data"))
                        .put("KEYCLOAK_ISSUER", "https://elsewhere.example.com/realms/portcullis"),
                ManifestChecker::checkIssuer,
                "is not Keycloak's hostname");
    }

    @Test
    void consoleWithLoopbackRedirectsInsecureCookiesOrAnotherSecretFails() {
        assertFails(
                o -> ((ObjectNode) consoleClient(o))
                        .set("redirectUris", JSON.createArrayNode().add("http://127.0.0.1:8080/*")),
                c -> c.checkConsole(false),
                "redirect URIs [http://127.0.0.1:8080/*] are not");
        assertFails(
                o -> ((ObjectNode) consoleClient(o).get("attributes")).put("post.logout.redirect.uris", "+"),
                c -> c.checkConsole(false),
                "post-logout redirect URIs + are not");
        assertFails(
                o -> env(o, "console", "QUARKUS_OIDC_AUTHENTICATION_COOKIE_FORCE_SECURE")
                        .put("value", "false"),
                c -> c.checkConsole(false),
                "does not set QUARKUS_OIDC_AUTHENTICATION_COOKIE_FORCE_SECURE=true");
        assertFails(
                o -> ((ObjectNode) env(o, "console", "QUARKUS_OIDC_CREDENTIALS_SECRET")
                                .at("/valueFrom/secretKeyRef"))
                        .put("name", "console-oidc"),
                c -> c.checkConsole(false),
                "does not read its client secret");
        assertFails(
                o -> {
                    ArrayNode env = (ArrayNode) container(o, "identity-broker").get("env");
                    for (int i = env.size() - 1; i >= 0; i--) {
                        if ("PORTCULLIS_CONSOLE_URL"
                                .equals(env.get(i).path("name").asText())) {
                            env.remove(i);
                        }
                    }
                },
                c -> c.checkConsole(false),
                "identity-broker does not take PORTCULLIS_CONSOLE_URL");
        assertFails(
                o -> ((ObjectNode) find(o, "ConfigMap", "portcullis-endpoints").get("data"))
                        .put("PORTCULLIS_CONSOLE_URL", "http://console.portcullis.example.com"),
                c -> c.checkConsole(false),
                "not an https URL");
    }

    @Test
    void consoleRouteOnAnotherHostFails() {
        List<ObjectNode> o = KustomizeRenderer.render(openshift);
        assertEquals(List.of(), new ManifestChecker(o).checkConsole(true));
        // the overlay gave the realm client the Route's name, not the base's
        assertEquals(
                "https://console.portcullis.apps.cluster.example.com/*",
                consoleClient(o).at("/redirectUris/0").asText());
        ((ObjectNode) find(o, "Route", "console").get("spec")).put("host", "portcullis.apps.cluster.example.com");
        List<String> p = new ManifestChecker(o).checkConsole(true);
        assertTrue(p.stream().anyMatch(s -> s.contains("Route console host")), p.toString());
    }

    private static JsonNode consoleClient(List<ObjectNode> objs) {
        for (JsonNode c : find(objs, "KeycloakRealmImport", "portcullis-realm").at("/spec/realm/clients")) {
            if ("portcullis-console".equals(c.path("clientId").asText())) {
                return c;
            }
        }
        throw new AssertionError("no portcullis-console in the realm import");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void javaRendererRefusesUnsupportedKustomizeFeatures() throws IOException {
        Path dir = Files.createTempDirectory("kustomize");
        try {
            Files.writeString(
                    dir.resolve("kustomization.yaml"), "resources: []\nimages:\n  - name: x\n    newTag: y\n");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> KustomizeRenderer.render(dir));
            assertTrue(e.getMessage().contains("images"), e.getMessage());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** A JSON 6902 {@code test} that does not hold stops the rendering, as it stops {@code kubectl kustomize}. */
    @Test
    void aPatchTestThatDoesNotHoldStopsTheRendering() throws IOException {
        Path dir = Files.createTempDirectory("kustomize");
        try {
            Files.writeString(
                    dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: a\n");
            Files.writeString(
                    dir.resolve("patch.yaml"),
                    "- op: test\n  path: /data/k\n  value: b\n- op: replace\n  path: /data/k\n  value: c\n");
            Files.writeString(
                    dir.resolve("kustomization.yaml"),
                    "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n"
                            + "    target: { version: v1, kind: ConfigMap, name: c }\n");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> KustomizeRenderer.render(dir));
            assertTrue(e.getMessage().contains("patch test of /data/k failed"), e.getMessage());
            Files.writeString(
                    dir.resolve("patch.yaml"),
                    "- op: test\n  path: /data/k\n  value: a\n- op: replace\n  path: /data/k\n  value: c\n");
            assertEquals("c", KustomizeRenderer.render(dir).get(0).at("/data/k").asText());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    static Set<String> readRequiredSecrets(Path file) throws IOException {
        Set<String> s = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.replaceAll("#.*", "").trim();
            if (!l.isEmpty()) {
                s.add(l);
            }
        }
        return s;
    }

    /** Objects in a stable order (kind, namespace, name); JsonNode equality ignores field order. */
    private static List<JsonNode> sorted(List<ObjectNode> objs) {
        return objs.stream()
                .<JsonNode>map(o -> o)
                .sorted(Comparator.comparing((JsonNode o) -> o.path("kind").asText())
                        .thenComparing(o -> o.path("metadata").path("namespace").asText())
                        .thenComparing(o -> o.path("metadata").path("name").asText()))
                .toList();
    }
}
