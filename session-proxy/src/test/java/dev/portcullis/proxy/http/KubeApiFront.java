package dev.portcullis.proxy.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API server of the HTTP gateway's tests: fabric8's {@code KubernetesMockServer}
 * (CRUD mode: an in-memory store with create, get, list, update, patch, delete and watch) behind
 * this small front, which adds what the mock lacks and a real kube-apiserver has:
 * <ul>
 * <li>TLS with a certificate for {@code localhost} (the proxy trusts it through the connection's {@code tls.caFile});</li>
 * <li>bearer-token authentication: only the connection's service-account token is accepted (401 Status otherwise);</li>
 * <li>discovery documents for {@code /api}, {@code /api/v1} and {@code /apis};</li>
 * <li>watch over chunked HTTP, one JSON event per line (kubectl's way), read from the mock's
 * WebSocket watch (the only way the mock serves watches);</li>
 * <li>a minimal {@code pods/exec} speaking {@code v5.channel.k8s.io} over WebSocket that prints
 * one line and exits 0, or for the command {@code cat} echoes stdin until it is closed (the mock has no exec).</li>
 * </ul>
 * It is not a kube-apiserver: none can run on the build machines.
 */
final class KubeApiFront implements AutoCloseable {

    static final String SA_TOKEN = "sa-token-of-the-k8s-demo-connection-" + Long.toHexString(System.nanoTime());
    private static final List<String> RESOURCES = List.of(
            "pods:Pod:po:true",
            "pods/exec:PodExecOptions::true",
            "pods/log:Pod::true",
            "secrets:Secret::true",
            "configmaps:ConfigMap:cm:true",
            "namespaces:Namespace:ns:false");

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final HttpClient mock;
    private final WebSocketClient mockWatch;
    private final int mockPort;
    final TestCerts cert =
            TestCerts.localhost(java.nio.file.Path.of("target", "http-test").toAbsolutePath(), "api-server");
    /** Every Authorization header the API server was sent, in order. */
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    /** Every request line (method and URI) the API server was sent. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    KubeApiFront(int mockPort) throws Exception {
        this.mockPort = mockPort;
        this.mock = vertx.createHttpClient(
                new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(mockPort));
        this.mockWatch = vertx.createWebSocketClient();
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setSsl(true)
                        .setHost("127.0.0.1")
                        .setPort(0)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(cert.certificatePath())
                                .setKeyPath(cert.privateKeyPath()))
                        .setWebSocketSubProtocols(List.of("v5.channel.k8s.io", "v4.channel.k8s.io")))
                .requestHandler(this::handle)
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest req) {
        String auth = req.getHeader("Authorization");
        authorizations.add(String.valueOf(auth));
        requests.add(req.method() + " " + req.uri());
        if (!("Bearer " + SA_TOKEN).equals(auth)) {
            status(req, 401, "Unauthorized", "Unauthorized");
            return;
        }
        String path = req.path();
        String query = req.query() == null ? "" : req.query();
        switch (path) {
            case "/api" ->
                json(
                        req,
                        new JsonObject()
                                .put("kind", "APIVersions")
                                .put("versions", new JsonArray().add("v1"))
                                .put(
                                        "serverAddressByClientCIDRs",
                                        new JsonArray()
                                                .add(new JsonObject()
                                                        .put("clientCIDR", "0.0.0.0/0")
                                                        .put("serverAddress", "localhost:" + port()))));
            case "/apis" ->
                json(
                        req,
                        new JsonObject()
                                .put("kind", "APIGroupList")
                                .put("apiVersion", "v1")
                                .put("groups", new JsonArray()));
            case "/api/v1" -> json(req, resources());
            default -> {
                if (path.endsWith("/exec") && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                    exec(req);
                } else if (req.method().name().equals("GET")
                        && (query.contains("watch=true") || query.contains("watch=1"))) {
                    watch(req);
                } else {
                    forward(req);
                }
            }
        }
    }

    private static JsonObject resources() {
        JsonArray list = new JsonArray();
        for (String r : RESOURCES) {
            String[] f = r.split(":", -1);
            JsonObject o = new JsonObject()
                    .put("name", f[0])
                    .put("singularName", f[0].contains("/") ? "" : f[1].toLowerCase())
                    .put("namespaced", Boolean.parseBoolean(f[3]))
                    .put("kind", f[1])
                    .put(
                            "verbs",
                            f[0].contains("/")
                                    ? new JsonArray().add("get").add("create")
                                    : new JsonArray()
                                            .add("create")
                                            .add("delete")
                                            .add("deletecollection")
                                            .add("get")
                                            .add("list")
                                            .add("patch")
                                            .add("update")
                                            .add("watch"));
            if (!f[2].isEmpty()) {
                o.put("shortNames", new JsonArray().add(f[2]));
            }
            list.add(o);
        }
        return new JsonObject()
                .put("kind", "APIResourceList")
                .put("groupVersion", "v1")
                .put("resources", list);
    }

    /** The mock's WebSocket watch, written out as kube-apiserver's chunked watch: one JSON event per line. */
    private void watch(HttpServerRequest req) {
        req.response().setChunked(true).putHeader("Content-Type", "application/json");
        mockWatch
                .connect(new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(mockPort)
                        .setURI(req.uri()))
                .onFailure(e -> req.response().reset())
                .onSuccess(ws -> {
                    req.response().write("");
                    ws.textMessageHandler(m -> req.response().write(m + "\n"));
                    ws.closeHandler(v -> req.response().end());
                    req.response().closeHandler(v -> ws.close());
                });
    }

    /** pods/exec: prints the command it was given and succeeds. */
    private void exec(HttpServerRequest req) {
        List<String> command = new io.netty.handler.codec.http.QueryStringDecoder(req.uri())
                .parameters()
                .getOrDefault("command", List.of());
        req.toWebSocket().onSuccess(ws -> {
            if (command.equals(List.of("cat"))) {
                // cat: stdin back on stdout until the agent closes stdin (v5's close signal: 255, 0)
                ws.binaryMessageHandler(m -> {
                    int channel = m.getUnsignedByte(0);
                    if (channel == 0) {
                        ws.writeBinaryMessage(
                                Buffer.buffer().appendByte((byte) 1).appendBuffer(m.getBuffer(1, m.length())));
                    } else if (channel == 255) {
                        ws.writeBinaryMessage(Buffer.buffer()
                                .appendByte((byte) 3)
                                .appendString(new JsonObject()
                                        .put("metadata", new JsonObject())
                                        .put("status", "Success")
                                        .encode()));
                        ws.close();
                    }
                });
                return;
            }
            ws.writeBinaryMessage(Buffer.buffer()
                    .appendByte((byte) 1)
                    .appendString("exec in the test API server: " + String.join(" ", command) + "\n"));
            ws.writeBinaryMessage(Buffer.buffer()
                    .appendByte((byte) 3)
                    .appendString(new JsonObject()
                            .put("metadata", new JsonObject())
                            .put("status", "Success")
                            .encode()));
            ws.close();
        });
    }

    private void forward(HttpServerRequest req) {
        req.pause();
        RequestOptions o = new RequestOptions().setMethod(req.method()).setURI(req.uri());
        req.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Authorization")) {
                o.addHeader(k, v);
            }
        });
        mock.request(o)
                .compose(creq -> creq.send(req))
                .onFailure(e -> status(req, 502, "InternalError", e.getMessage()))
                .onSuccess(resp -> {
                    req.response().setStatusCode(resp.statusCode());
                    resp.headers().forEach((k, v) -> {
                        if (!k.equalsIgnoreCase("Content-Length") && !k.equalsIgnoreCase("Transfer-Encoding")) {
                            req.response().putHeader(k, v);
                        }
                    });
                    if (resp.getHeader("Content-Type") == null) {
                        req.response()
                                .putHeader(
                                        "Content-Type",
                                        "application/json"); // the mock omits it; the API server never does
                    }
                    req.response().setChunked(true);
                    resp.pipeTo(req.response());
                });
    }

    private static void json(HttpServerRequest req, JsonObject body) {
        req.response().putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static void status(HttpServerRequest req, int code, String reason, String message) {
        req.response()
                .setStatusCode(code)
                .putHeader("Content-Type", "application/json")
                .end(new JsonObject()
                        .put("kind", "Status")
                        .put("apiVersion", "v1")
                        .put("status", "Failure")
                        .put("reason", reason)
                        .put("message", message)
                        .put("code", code)
                        .encode());
    }

    @Override
    public void close() {
        vertx.close();
    }
}
