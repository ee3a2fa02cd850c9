package dev.portcullis.it.journey;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Kubernetes target of the journeys, and the one component of the suite that is not the real
 * thing: no kube-apiserver can run on the build machines (no container engine, no etcd or
 * Kubernetes binaries). It is fabric8's {@code KubernetesMockServer} in CRUD mode (an in-memory
 * store that creates, gets, lists, patches and deletes any object) behind a small HTTPS front of
 * the JDK's own {@code HttpsServer} that adds what a real API server has and the mock lacks:
 * TLS with a certificate the connection's {@code tls.caFile} names, bearer-token authentication
 * that accepts only the connection's service-account token (401 {@code Status} otherwise), and the
 * legacy discovery documents kubectl reads ({@code /api}, {@code /apis}, {@code /api/v1}), and a
 * watch of the namespace's pods ({@link #watchPods}). Other watches and exec are not served: the
 * journeys do not use them.
 *
 * <p>Seeded with namespace {@link #NAMESPACE}: pod {@link #POD}, Secret {@link #SECRET} (its value
 * also in the last-applied annotation, as {@code kubectl apply} leaves it) and ConfigMap
 * {@link #CONFIG_MAP} holding an e-mail and a card number of {@link PortcullisSuite#CUSTOMERS}.
 */
final class KubeTarget implements AutoCloseable {

    static final String NAMESPACE = "payments";
    static final String POD = "api-0";
    static final String SECRET = "db-credentials";
    static final String CONFIG_MAP = "billing-contact";
    private static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    /** The mock logs every request it serves at INFO; kept referenced so the level sticks. */
    private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

    private final KubernetesMockServer mock;
    private final KubernetesClient kube;
    private final HttpsServer front;
    private final ExecutorService threads;
    private final HttpClient toMock = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String serviceAccountToken;
    private final String secretValue;
    private final Path serviceAccountTokenFile;
    private final SelfSignedTls tls;
    /** Method and URI of every request the API server was sent, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** The Accept header of every request the API server was sent, in the order of {@link #requests}. */
    final List<String> accepts = new CopyOnWriteArrayList<>();
    /** Watches of pods the API server accepted, and the events it streamed on them. */
    final AtomicInteger podWatches = new AtomicInteger();

    final AtomicInteger podWatchEvents = new AtomicInteger();
    /** Every Authorization header the API server was sent (kept in memory for assertions, never printed). */
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    private KubeTarget(KubernetesMockServer mock, KubernetesClient kube, Path dir, Path secrets) throws IOException {
        this.mock = mock;
        this.kube = kube;
        this.serviceAccountToken = "k8s-prod-service-account-" + UUID.randomUUID();
        this.secretValue = "pg-password-" + UUID.randomUUID();
        this.tls = SelfSignedTls.create(dir, "kube-api-server");
        this.serviceAccountTokenFile = secrets.resolve("k8s-prod.token");
        Files.createDirectories(secrets);
        Files.createFile(
                serviceAccountTokenFile,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(serviceAccountTokenFile, serviceAccountToken + "\n");
        this.threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            front = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            front.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS for the test API server", e);
        }
        front.setExecutor(threads);
        front.createContext("/", this::handle);
        front.start();
    }

    /** Starts the mock and its front; the service-account token file goes to {@code secrets}. */
    static KubeTarget start(Path dir, Path secrets) throws IOException {
        MOCK_LOG.setLevel(Level.WARNING);
        KubernetesMockServer mock = new KubernetesMockServer(
                new Context(), // only expectations use its mapper, and the CRUD dispatcher has its own
                new MockWebServer(),
                new HashMap<>(),
                new KubernetesCrudDispatcher(),
                false);
        mock.init(InetAddress.getLoopbackAddress(), 0);
        KubeTarget target = null;
        KubernetesClient kube = mock.createClient();
        try {
            target = new KubeTarget(mock, kube, dir, secrets);
            target.seed();
            return target;
        } finally {
            if (target == null) {
                kube.close();
                mock.destroy();
            }
        }
    }

    private void seed() {
        kube.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        kube.pods()
                .inNamespace(NAMESPACE)
                .resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(POD)
                        .withNamespace(NAMESPACE)
                        .addToLabels("app", "api")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("api")
                        .withImage("registry.example/api:1.0")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        String encoded = base64(secretValue);
        String lastApplied = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + SECRET
                + "\"},\"data\":{\"password\":\"" + encoded + "\"}}";
        kube.secrets()
                .inNamespace(NAMESPACE)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(SECRET)
                        .withNamespace(NAMESPACE)
                        .addToAnnotations(LAST_APPLIED, lastApplied)
                        .endMetadata()
                        .withType("Opaque")
                        .addToData("username", base64("payments_app"))
                        .addToData("password", encoded)
                        .build())
                .create();
        List<String> customer = PortcullisSuite.CUSTOMERS.get(1);
        kube.configMaps()
                .inNamespace(NAMESPACE)
                .resource(new ConfigMapBuilder()
                        .withNewMetadata()
                        .withName(CONFIG_MAP)
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .addToData("owner", customer.get(0))
                        .addToData("contact", customer.get(1))
                        .addToData("card", customer.get(2))
                        .build())
                .create();
    }

    private void handle(HttpExchange ex) {
        try {
            serve(ex);
        } catch (IOException | RuntimeException e) {
            // the front must answer even when the mock does not: a hung kubectl would hide the cause
            try {
                status(ex, 502, "InternalError", "test API server front: " + e);
            } catch (IOException | RuntimeException ignored) {
                // headers already sent
            }
        } finally {
            ex.close();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String uri = ex.getRequestURI().toString();
        requests.add(ex.getRequestMethod() + " " + uri);
        accepts.add(String.valueOf(ex.getRequestHeaders().getFirst("Accept")));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(String.valueOf(auth));
        if (!("Bearer " + serviceAccountToken).equals(auth)) {
            status(ex, 401, "Unauthorized", "Unauthorized");
            return;
        }
        String path = ex.getRequestURI().getPath();
        String query = String.valueOf(ex.getRequestURI().getRawQuery());
        switch (path) {
            case "/api" -> json(ex, 200, apiVersions());
            case "/apis" ->
                json(
                        ex,
                        200,
                        Http.JSON
                                .createObjectNode()
                                .put("kind", "APIGroupList")
                                .put("apiVersion", "v1")
                                .set("groups", Http.JSON.createArrayNode()));
            case "/api/v1" -> json(ex, 200, coreResources());
            default -> {
                if (query.contains("watch=true") || query.contains("watch=1")) {
                    if (path.equals("/api/v1/namespaces/" + NAMESPACE + "/pods")) {
                        watchPods(ex);
                    } else {
                        status(ex, 405, "MethodNotAllowed", "the journey's test API server does not serve this watch");
                    }
                } else {
                    forward(ex, uri);
                }
            }
        }
    }

    /**
     * A watch of the namespace's pods, streamed as kube-apiserver streams one: 200 and one JSON event per line, an
     * {@code ADDED} per pod, then a {@code MODIFIED} of {@link #POD} (a new {@code resourceVersion} each) every
     * 200 ms until the client goes away. The store is not changed: this is a watch that stays open and busy, as one
     * held across a Kafka stall is (KafkaStallIT).
     */
    private void watchPods(HttpExchange ex) throws IOException {
        podWatches.incrementAndGet();
        List<Pod> pods = kube.pods().inNamespace(NAMESPACE).list().getItems();
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0); // chunked
        OutputStream out = ex.getResponseBody();
        try {
            for (Pod p : pods) {
                watchEvent(out, "ADDED", p);
            }
            Pod pod = pods.stream()
                    .filter(p -> POD.equals(p.getMetadata().getName()))
                    .findFirst()
                    .orElseThrow();
            for (long rv = 1_000_000; ; rv++) {
                Thread.sleep(200);
                pod.getMetadata().setResourceVersion(Long.toString(rv));
                watchEvent(out, "MODIFIED", pod);
                podWatchEvents.incrementAndGet();
            }
        } catch (IOException e) {
            // the client (the proxy) closed the watch
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the front is closing
        }
    }

    private void watchEvent(OutputStream out, String type, Pod pod) throws IOException {
        ObjectNode event = Http.JSON.createObjectNode().put("type", type);
        event.set("object", Http.JSON.readTree(kube.getKubernetesSerialization().asJson(pod)));
        out.write(Http.JSON.writeValueAsBytes(event));
        out.write('\n');
        out.flush();
    }

    private ObjectNode apiVersions() {
        ObjectNode o = Http.JSON.createObjectNode().put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        o.putArray("serverAddressByClientCIDRs")
                .addObject()
                .put("clientCIDR", "0.0.0.0/0")
                .put("serverAddress", "localhost:" + front.getAddress().getPort());
        return o;
    }

    private static ObjectNode coreResources() {
        ObjectNode list =
                Http.JSON.createObjectNode().put("kind", "APIResourceList").put("groupVersion", "v1");
        ArrayNode resources = list.putArray("resources");
        for (String[] r : new String[][] {
            {"pods", "Pod", "po", "true"},
            {"secrets", "Secret", "", "true"},
            {"configmaps", "ConfigMap", "cm", "true"},
            {"namespaces", "Namespace", "ns", "false"}
        }) {
            ObjectNode o = resources
                    .addObject()
                    .put("name", r[0])
                    .put("singularName", r[1].toLowerCase())
                    .put("namespaced", Boolean.parseBoolean(r[3]))
                    .put("kind", r[1]);
            o.putArray("verbs")
                    .add("create")
                    .add("delete")
                    .add("deletecollection")
                    .add("get")
                    .add("list")
                    .add("patch")
                    .add("update")
                    .add("watch");
            if (!r[2].isEmpty()) {
                o.putArray("shortNames").add(r[2]);
            }
        }
        return list;
    }

    private void forward(HttpExchange ex, String uri) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mock.getPort() + uri))
                .timeout(Duration.ofSeconds(30))
                .method(
                        ex.getRequestMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : Set.of("Content-Type", "Accept")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = toMock.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        // the mock omits the content type; a real API server always sends it
        ex.getResponseHeaders()
                .set("Content-Type", r.headers().firstValue("Content-Type").orElse("application/json"));
        send(ex, r.statusCode(), r.body());
    }

    private static void json(HttpExchange ex, int code, ObjectNode body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, code, Http.JSON.writeValueAsBytes(body));
    }

    private static void status(HttpExchange ex, int code, String reason, String message) throws IOException {
        json(
                ex,
                code,
                Http.JSON
                        .createObjectNode()
                        .put("kind", "Status")
                        .put("apiVersion", "v1")
                        .put("status", "Failure")
                        .put("reason", reason)
                        .put("message", message)
                        .put("code", code));
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code https://localhost:<port>}: the connection's address (the certificate names localhost). */
    String address() {
        return "https://localhost:" + front.getAddress().getPort();
    }

    /** The API server's certificate, the connection's {@code tls.caFile}. */
    Path caFile() {
        return tls.certificate();
    }

    /** The connection's {@code credentials.tokenFile} (session-proxy's secret). */
    Path serviceAccountTokenFile() {
        return serviceAccountTokenFile;
    }

    /** Values that must never reach an agent or a recording: the Secret's value, plain and base64, and the service-account token. */
    List<String> secretValues() {
        return List.of(secretValue, base64(secretValue), serviceAccountToken);
    }

    /** Whether every request reached the API server with the connection's own token and nothing else. */
    boolean onlyServiceAccountTokenSeen() {
        return !authorizations.isEmpty() && authorizations.stream().allMatch(("Bearer " + serviceAccountToken)::equals);
    }

    /** The test's own view of the API server, bypassing Portcullis. */
    KubernetesClient direct() {
        return kube;
    }

    @Override
    public void close() {
        front.stop(0);
        threads.shutdownNow();
        kube.close();
        mock.destroy();
    }

    @Override
    public String toString() {
        return "mock Kubernetes API at " + address();
    }
}
