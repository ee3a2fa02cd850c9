package dev.portcullis.proxy.http;

import dev.portcullis.devstack.DevStack;
import dev.portcullis.proxy.FakePolicyServer;
import dev.portcullis.proxy.KeycloakScopes;
import dev.portcullis.proxy.TestStacks;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Targets of the HTTP gateway's tests: connection {@code k8s-demo} ({@code type: kubernetes}) in
 * front of fabric8's mock API server ({@link KubeApiFront}), reached over TLS with the front's CA
 * and a service-account token file; connection {@code web-demo} ({@code type: http}) in front of a
 * small Vert.x server that requires basic auth. demo-agent gets {@code conn:k8s-demo:write} and
 * {@code conn:web-demo:read} in the real Keycloak; Kafka and Keycloak come from dev-stack;
 * {@link FakePolicyServer} decides.
 */
public class HttpTestResource implements QuarkusTestResourceLifecycleManager {

    static final String K8S = "k8s-demo";
    static final String WEB = "web-demo";
    static final String K8S_SCOPE = "conn:" + K8S + ":write";
    static final String WEB_SCOPE = "conn:" + WEB + ":read";
    static final String WEB_PASSWORD = "web-pass-" + Long.toHexString(System.nanoTime());
    static final String NAMESPACE = "team-a";
    static final String SECRET_VALUE = "hunter2-the-db-password";

    private static KubernetesMockServer mock;
    private static KubernetesClient kube;
    private static KubeApiFront front;
    private static Vertx webVertx;
    private static HttpServer web;
    private static FakePolicyServer policy;
    private static Path dir;
    /** The proxy's own TLS certificate (kubectl sends credentials only over TLS). */
    static final TestCerts PROXY_CERT =
            TestCerts.localhost(Path.of("target", "http-test").toAbsolutePath(), "proxy");

    static final List<String> webAuthorizations = new CopyOnWriteArrayList<>();
    static final List<String> webPaths = new CopyOnWriteArrayList<>();

    static KubernetesClient kube() {
        return kube;
    }

    static KubeApiFront front() {
        return front;
    }

    static FakePolicyServer policy() {
        return policy;
    }

    static Path dir() {
        return dir;
    }

    /** After {@link dev.portcullis.proxy.ProxyTestResource} (global, order 0), so this connections file and policy server win. */
    @Override
    public int order() {
        return 100;
    }

    @Override
    public Map<String, String> start() {
        DevStack stack = TestStacks.kafkaAndKeycloak();
        KeycloakScopes.grantDemoAgent(K8S, "write");
        KeycloakScopes.grantDemoAgent(WEB, "read");
        try {
            dir = Path.of("target", "http-test").toAbsolutePath();
            Files.createDirectories(dir);
            Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
            mock = new KubernetesMockServer(
                    new io.fabric8.mockwebserver.Context(),
                    new MockWebServer(),
                    responses,
                    new KubernetesMixedDispatcher(responses),
                    false);
            mock.init(InetAddress.getLoopbackAddress(), 0);
            kube = mock.createClient();
            seed();
            front = new KubeApiFront(mock.getPort());
            startWeb();
            Path token = dir.resolve("k8s-demo.token");
            Files.writeString(token, KubeApiFront.SA_TOKEN + "\n");
            Path webPassword = dir.resolve("web-demo.password");
            Files.writeString(webPassword, WEB_PASSWORD);
            Path connections = dir.resolve("connections.yaml");
            Files.writeString(connections, """
                    connections:
                      %s:
                        type: kubernetes
                        address: https://localhost:%d
                        credentials: { tokenFile: %s }
                        tls: { caFile: %s }
                        accessLevels: [read, write]
                        tags: { env: prod }
                      %s:
                        type: http
                        address: http://127.0.0.1:%d/base
                        credentials: { username: web-user, passwordFile: %s }
                        accessLevels: [read]
                        tags: { env: dev }
                    """.formatted(
                    K8S, front.port(), token, front.cert.certificatePath(), WEB, web.actualPort(), webPassword));
            policy = FakePolicyServer.start();
            Map<String, String> config = TestStacks.proxyConfig(stack, policy, connections, dir, "20s");
            config.put("portcullis.http.header-timeout", "3s");
            config.put("portcullis.http.cert-file", PROXY_CERT.certificatePath());
            config.put("portcullis.http.key-file", PROXY_CERT.privateKeyPath());
            config.put("portcullis.http.max-header-size", "16384");
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void seed() {
        kube.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(NAMESPACE)
                        .endMetadata()
                        .build())
                .create();
        kube.pods()
                .inNamespace(NAMESPACE)
                .resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                        .withNewMetadata()
                        .withName("web-0")
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("web")
                        .withImage("nginx")
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        String password = Base64.getEncoder().encodeToString(SECRET_VALUE.getBytes());
        String lastApplied = new JsonObject()
                .put("apiVersion", "v1")
                .put("kind", "Secret")
                .put("data", new JsonObject().put("password", password))
                .encode();
        kube.secrets()
                .inNamespace(NAMESPACE)
                .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata()
                        .withName("db")
                        .withNamespace(NAMESPACE)
                        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", lastApplied)
                        .endMetadata()
                        .addToData("password", password)
                        .withType("Opaque")
                        .build())
                .create();
        kube.configMaps()
                .inNamespace(NAMESPACE)
                .resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("settings")
                        .withNamespace(NAMESPACE)
                        .endMetadata()
                        .addToData("billing", "card 4111 1111 1111 1111 on file")
                        .addToData("mode", "blue")
                        .build())
                .create();
    }

    private static void startWeb() throws Exception {
        webVertx = Vertx.vertx();
        String expected = "Basic " + Base64.getEncoder().encodeToString(("web-user:" + WEB_PASSWORD).getBytes());
        web = webVertx.createHttpServer()
                .requestHandler(req -> {
                    webAuthorizations.add(String.valueOf(req.getHeader("Authorization")));
                    webPaths.add(req.uri());
                    if (!expected.equals(req.getHeader("Authorization"))) {
                        req.response().setStatusCode(401).end();
                        return;
                    }
                    req.response()
                            .putHeader("Content-Type", "application/json")
                            .end(new JsonObject()
                                            .put("path", req.path())
                                            .put("contact", "ops@example.com")
                                            .put("card", "4111 1111 1111 1111")
                                            .put("note", "plain words")
                                            .encode()
                                    + "\n");
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Override
    public void stop() {
        if (front != null) {
            front.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (mock != null) {
            mock.destroy();
        }
        if (webVertx != null) {
            webVertx.close();
        }
        if (policy != null) {
            policy.close();
        }
    }
}
