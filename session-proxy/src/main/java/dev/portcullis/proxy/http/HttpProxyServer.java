package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The HTTP/Kubernetes gateway: a Vert.x HTTP/1.1 server for agents in front of {@code kubernetes}
 * and {@code http} connections. The connection is the first path segment ({@code /k8s-prod/api/v1/…},
 * so a kubeconfig {@code server: https://proxy:8443/k8s-prod} works) or, with
 * {@code portcullis.http.host-suffix}, the first label of the Host. The agent's
 * {@code Authorization: Bearer <token>} is validated like on every other path and never forwarded.
 * Limits: Vert.x's head limits (431/414 and the connection closes), a complete request head within
 * {@code header-timeout}, {@code idle-timeout}, {@code max-connections}.
 */
public final class HttpProxyServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpProxyServer.class);

    /** Which connection a request is for, and the path the target sees. */
    record Route(Connection connection, String path) {}

    private final HttpGateway gw;
    private final AgentTokens tokens;
    private final HttpTargets targets;
    private final Map<HttpConnection, ClientConnection> clients = new ConcurrentHashMap<>();
    /** Connections with an authenticated request (max-connections). */
    private final AtomicInteger open = new AtomicInteger();

    private static final String PROTOCOL = "http";
    private static final long REFUSED_LINGER_MILLIS = 1_000;
    /**
     * How long the answer to an undecodable request head waits while the rest of what the client sends is discarded:
     * long enough for a client on a loaded machine to finish sending an oversized head over TLS (250 ms was not, in CI
     * with a 4 MiB head), short enough that a connection refused this way is gone soon.
     */
    private static final long BAD_REQUEST_LINGER_MILLIS = 1_000;
    /** Connections without an authenticated request yet (max-unauthenticated), counted in the SessionRegistry. */
    private final Set<HttpConnection> unauthenticated = ConcurrentHashMap.newKeySet();
    /** Connections counted in {@link #open}. */
    private final Set<HttpConnection> counted = ConcurrentHashMap.newKeySet();
    /** Connections over the unauthenticated budget: their first request gets 503, then they close. */
    private final Set<HttpConnection> refused = ConcurrentHashMap.newKeySet();

    private final boolean tls;
    private HttpServer server;

    public HttpProxyServer(HttpGateway gw) {
        this.gw = gw;
        ProxyConfig.Http c = gw.config().http();
        this.tokens = new AgentTokens(gw.vertx(), gw.tokens());
        this.targets = new HttpTargets(gw.vertx(), c.backendConnectTimeout(), c.idleTimeout());
        this.tls = c.certFile().isPresent() && c.keyFile().isPresent();
    }

    HttpGateway gateway() {
        return gw;
    }

    HttpTargets targets() {
        return targets;
    }

    public Future<HttpServer> start() {
        ProxyConfig.Http c = gw.config().http();
        HttpServerOptions o = new HttpServerOptions()
                // no span per agent request: a session has one span (SessionContext), as in PostgreSQL and SSH
                .setTracingPolicy(TracingPolicy.IGNORE)
                .setHost(c.host())
                .setPort(c.port())
                .setMaxHeaderSize(c.maxHeaderSize())
                .setMaxInitialLineLength(c.maxInitialLineLength())
                .setIdleTimeout((int) Math.max(0, c.idleTimeout().toSeconds()))
                .setTcpNoDelay(true)
                .setAcceptBacklog(1024)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
                // no h2c sniffing: a connection is an HTTP/1.1 connection (counted, timed) from its first byte on,
                // not a socket Vert.x holds unseen until it sends something
                .setHttp2ClearTextEnabled(false);
        if (tls) {
            o.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(c.certFile().get())
                            .setKeyPath(c.keyFile().get()));
        }
        server = gw.vertx()
                .createHttpServer(o)
                .connectionHandler(this::connected)
                .requestHandler(this::request)
                .invalidRequestHandler(this::invalid);
        return server.listen()
                .onSuccess(s -> LOG.infof(
                        "HTTP/Kubernetes gateway listening on %s:%d (TLS %s, plaintext %s)",
                        c.host(), s.actualPort(), tls ? "on" : "off", tls ? "-" : c.plaintext()));
    }

    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    private void connected(HttpConnection conn) {
        // unauthenticated connections have a budget of their own: idle sockets cannot take logged-in slots
        int max = gw.config().http().maxUnauthenticated();
        if (gw.registry().draining() || !gw.registry().tryOpenUnauthenticated(PROTOCOL, max)) {
            LOG.debugf(
                    "HTTP connection from %s refused: %d unauthenticated connections open (max-unauthenticated)",
                    conn.remoteAddress(), max);
            // answered 503 if a request comes at once, closed either way
            refused.add(conn);
            conn.closeHandler(v -> refused.remove(conn));
            gw.vertx().setTimer(REFUSED_LINGER_MILLIS, t -> conn.close());
            return;
        }
        unauthenticated.add(conn);
        ClientConnection client = new ClientConnection(gw, conn, Vertx.currentContext());
        clients.put(conn, client);
        gw.vertx().setTimer(gw.config().http().loginTimeout().toMillis(), t -> {
            if (unauthenticated.contains(conn)) {
                LOG.debugf("HTTP connection from %s closed: no authenticated request in time", conn.remoteAddress());
                conn.close();
            }
        });
        Runnable gone = () -> {
            if (unauthenticated.remove(conn)) {
                gw.registry().unauthenticatedClosed(PROTOCOL);
            } else if (counted.remove(conn)) {
                open.decrementAndGet();
            }
            ClientConnection cc = clients.remove(conn);
            if (cc != null) {
                cc.closed();
            }
        };
        // after an upgrade the socket belongs to the tunnel and this handler never runs: the tunnel calls gone
        client.whenGone(gone);
        conn.closeHandler(v -> gone.run());
    }

    /**
     * The connection's first authenticated request: it leaves the unauthenticated budget for a slot of {@code
     * max-connections}; false (503 sent, connection closed) when every slot is taken.
     */
    private boolean countLogin(HttpServerRequest req, boolean kubernetes) {
        HttpConnection conn = req.connection();
        if (!unauthenticated.remove(conn)) {
            return true;
        }
        gw.registry().unauthenticatedClosed(PROTOCOL);
        if (open.incrementAndGet() > gw.config().http().maxConnections()) {
            open.decrementAndGet();
            LOG.warnf(
                    "HTTP connection from %s refused: %d connections open (max-connections)",
                    conn.remoteAddress(), gw.config().http().maxConnections());
            req.resume();
            req.response().putHeader(HttpHeaders.CONNECTION, "close");
            HttpErrors.send(req.response(), kubernetes, 503, "ServiceUnavailable", "Portcullis: too many connections");
            conn.close(); // after the answer: a close flushes what is written first
            return false;
        }
        counted.add(conn);
        return true;
    }

    /** A request head Vert.x could not decode (too long, malformed): answered, then the connection closes. */
    private void invalid(HttpServerRequest req) {
        Throwable cause = req.decoderResult().cause();
        int code = cause instanceof TooLongHttpHeaderException
                ? 431
                : cause instanceof TooLongHttpLineException ? 414 : 400;
        String message = switch (code) {
            case 431 ->
                "request headers exceed portcullis.http.max-header-size ("
                        + gw.config().http().maxHeaderSize() + " bytes)";
            case 414 ->
                "request line exceeds portcullis.http.max-initial-line-length ("
                        + gw.config().http().maxInitialLineLength() + " bytes)";
            default -> cause instanceof TooLongFrameException ? "request too long" : "malformed HTTP request";
        };
        LOG.infof("HTTP request from %s refused: %s", req.remoteAddress(), message);
        // Vert.x closes the connection as soon as the answer to an undecodable request is written. A client may still
        // be
        // sending what got it refused (the rest of an oversized head, a body), and a close with unread bytes makes the
        // kernel reset the connection: the client gets "broken pipe" or "connection reset" instead of the answer. So
        // the answer waits a moment while Netty's decoder reads and discards the rest, then goes out and closes.
        gw.vertx().setTimer(BAD_REQUEST_LINGER_MILLIS, t -> {
            req.response().putHeader(HttpHeaders.CONNECTION, "close");
            HttpErrors.send(
                    req.response(),
                    true,
                    code,
                    code == 400 ? "BadRequest" : "RequestEntityTooLarge",
                    "Portcullis: " + message);
        });
    }

    private void request(HttpServerRequest req) {
        if (refused.contains(req.connection())) {
            req.response().putHeader(HttpHeaders.CONNECTION, "close");
            HttpErrors.send(
                    req.response(),
                    true,
                    503,
                    "ServiceUnavailable",
                    gw.registry().draining()
                            ? "Portcullis: the proxy is shutting down; connect again"
                            : "Portcullis: too many unauthenticated connections (portcullis.http.max-unauthenticated)");
            req.connection().close();
            return;
        }
        req.pause();
        ClientConnection client = clients.get(req.connection());
        if (client == null) {
            req.connection().close();
            return;
        }
        client.requestStarted();
        boolean[] ended = {false};
        Runnable end = () -> {
            if (!ended[0]) {
                ended[0] = true;
                client.requestEnded();
            }
        };
        req.response().endHandler(v -> end.run());
        req.response().closeHandler(v -> end.run());
        Optional<Route> route = route(req);
        if (route.isEmpty()) {
            req.resume();
            HttpErrors.send(
                    req.response(),
                    true,
                    404,
                    "NotFound",
                    "Portcullis: no kubernetes or http connection named '" + connectionName(req) + "'");
            return;
        }
        boolean kubernetes = route.get().connection().type() == ConnectionType.KUBERNETES;
        ProxyConfig.Plaintext plaintext = gw.config().http().plaintext();
        boolean plaintextAllowed = switch (plaintext) {
            case ANY -> true;
            case NEVER -> false;
            case LOOPBACK -> client.loopback();
        };
        if (!tls && !plaintextAllowed) {
            req.resume();
            HttpErrors.send(
                    req.response(),
                    kubernetes,
                    403,
                    "Forbidden",
                    plaintext == ProxyConfig.Plaintext.NEVER
                            ? "Portcullis: plaintext HTTP is not accepted; use TLS"
                            : "Portcullis: plaintext HTTP is accepted from loopback only; use TLS");
            return;
        }
        String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() <= 7) {
            req.resume();
            HttpErrors.send(
                    req.response(),
                    kubernetes,
                    401,
                    "Unauthorized",
                    "Portcullis: an agent token is required (Authorization: Bearer <token>)");
            return;
        }
        Connection connection = route.get().connection();
        tokens.validate(auth.substring(7).strip(), connection).onComplete(ar -> {
            if (ar.failed()) {
                req.resume();
                boolean scope = ar.cause() instanceof TokenValidator.InvalidTokenException e && e.missingScope();
                LOG.infof(
                        "HTTP request to %s from %s refused: %s",
                        connection.name(),
                        client.address(),
                        ar.cause() instanceof TokenValidator.InvalidTokenException
                                ? ar.cause().getMessage()
                                : "token validation failed ("
                                        + ar.cause().getClass().getSimpleName() + ")");
                if (scope) {
                    HttpErrors.send(
                            req.response(),
                            kubernetes,
                            403,
                            "Forbidden",
                            "Portcullis: the token grants no access to connection " + connection.name());
                } else {
                    HttpErrors.send(
                            req.response(),
                            kubernetes,
                            401,
                            "Unauthorized",
                            "Portcullis: the token is invalid or expired");
                }
                return;
            }
            if (client.isClosed()) {
                return;
            }
            if (!gw.registry().cutOffsKnown()) {
                req.resume();
                HttpErrors.send(
                        req.response(),
                        kubernetes,
                        503,
                        "ServiceUnavailable",
                        "Portcullis: the proxy is starting up (kill-switch state not loaded); try again");
                return;
            }
            if (gw.registry().cutOff(ar.result().agent(), ar.result().issuedAt(), connection.name())) {
                req.resume();
                LOG.infof(
                        "HTTP request to %s from %s refused: the token predates the kill switch for agent %s",
                        connection.name(), client.address(), ar.result().agent());
                HttpErrors.send(
                        req.response(),
                        kubernetes,
                        401,
                        "Unauthorized",
                        "Portcullis: access of agent " + ar.result().agent()
                                + " was ended; get a new token once re-enabled");
                return;
            }
            if (gw.config().events().refuseWhenUnrecorded() && !gw.events().canRecord()) {
                req.resume();
                HttpErrors.send(
                        req.response(),
                        kubernetes,
                        503,
                        "ServiceUnavailable",
                        "Portcullis: sessions cannot be recorded right now");
                return;
            }
            if (!countLogin(req, kubernetes)) {
                return;
            }
            HttpAgentSession session = client.session(ar.result(), connection, req.getHeader(HttpHeaders.USER_AGENT));
            new HttpExchange(this, session, client, req, route.get().path(), isUpgrade(req)).run();
        });
    }

    /** The connection name a request asks for (for messages). */
    private String connectionName(HttpServerRequest req) {
        Optional<String> suffix = gw.config().http().hostSuffix();
        if (suffix.isPresent()
                && req.authority() != null
                && req.authority()
                        .host()
                        .toLowerCase(Locale.ROOT)
                        .endsWith(suffix.get().toLowerCase(Locale.ROOT))) {
            String host = req.authority().host();
            return host.substring(0, Math.max(0, host.length() - suffix.get().length()));
        }
        String path = req.path() == null ? "" : req.path();
        int slash = path.indexOf('/', 1);
        String name = path.length() < 2 ? "" : slash < 0 ? path.substring(1) : path.substring(1, slash);
        return name.length() > 100 ? name.substring(0, 100) + "…" : name;
    }

    private Optional<Route> route(HttpServerRequest req) {
        Optional<String> suffix = gw.config().http().hostSuffix();
        if (suffix.isPresent() && req.authority() != null) {
            String host = req.authority().host().toLowerCase(Locale.ROOT);
            String s = suffix.get().toLowerCase(Locale.ROOT);
            if (host.endsWith(s) && host.length() > s.length()) {
                return gw.connections()
                        .find(host.substring(0, host.length() - s.length()))
                        .filter(HttpGateway::isHttpType)
                        .map(c -> new Route(c, req.path()));
            }
        }
        String path = req.path();
        if (path == null || path.length() < 2 || path.charAt(0) != '/') {
            return Optional.empty();
        }
        int slash = path.indexOf('/', 1);
        String name = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String rest = slash < 0 ? "/" : path.substring(slash);
        return gw.connections().find(name).filter(HttpGateway::isHttpType).map(c -> new Route(c, rest));
    }

    private static boolean isUpgrade(HttpServerRequest req) {
        String connection = req.getHeader(HttpHeaders.CONNECTION);
        return req.getHeader(HttpHeaders.UPGRADE) != null
                && connection != null
                && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        targets.close();
    }
}
