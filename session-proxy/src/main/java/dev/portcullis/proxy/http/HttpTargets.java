package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.proxy.connection.Targets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.tracing.TracingPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The client side toward HTTP and Kubernetes targets: one Vert.x {@link HttpClient} per connection, or per
 * connection and access level when the file gives credentials per level (keep-alive pool; TLS with the
 * connection's CA when the address is {@code https://…} or {@code tls.mode: require}; a client certificate when the
 * credentials name one) and the credential
 * the proxy presents: {@code credentials.tokenFile} as a bearer token (a service-account token),
 * or {@code username} with {@code passwordFile}/{@code passwordEnv} as basic auth. Secret files are
 * re-read at most every {@link #CREDENTIAL_TTL}, asynchronously, so a rotated Secret is picked up.
 */
final class HttpTargets implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HttpTargets.class);
    static final Duration CREDENTIAL_TTL = Duration.ofSeconds(60);

    /** Why a target cannot be used; the message is safe to show the agent (names no credential). */
    static final class TargetException extends Exception {
        TargetException(String message) {
            super(message, null, false, false);
        }
    }

    /** One connection's target: where, how, and its client. */
    static final class Target {
        final Connection connection;
        /** The credentials of the access level this target serves; null when the connection has none. */
        final Credentials credentials;

        final String host;
        final int port;
        final boolean tls;
        final String basePath;
        final String serverName;
        final HttpClient client;
        private final Vertx vertx;
        private volatile String authorization;
        private volatile long readAt;

        Target(
                Vertx vertx,
                Connection c,
                Credentials credentials,
                String host,
                int port,
                boolean tls,
                String basePath,
                HttpClient client) {
            this.vertx = vertx;
            this.connection = c;
            this.credentials = credentials;
            this.host = host;
            this.port = port;
            this.tls = tls;
            this.basePath = basePath;
            this.serverName =
                    c.tls() != null && c.tls().serverName() != null ? c.tls().serverName() : host;
            this.client = client;
        }

        /** The {@code Authorization} value toward the target, or null when the connection has no credential. */
        Future<String> authorization() {
            Credentials cred = credentials;
            if (cred == null) {
                return Future.succeededFuture(null);
            }
            String cached = authorization;
            if (cached != null && System.nanoTime() - readAt < CREDENTIAL_TTL.toNanos()) {
                return Future.succeededFuture(cached);
            }
            Future<String> value;
            if (cred.tokenFile() != null) {
                value = vertx.fileSystem()
                        .readFile(cred.tokenFile())
                        .map(b -> "Bearer " + b.toString(StandardCharsets.UTF_8).strip());
            } else if (cred.username() != null && (cred.passwordFile() != null || cred.passwordEnv() != null)) {
                value = vertx.executeBlocking(
                        () -> "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((cred.username() + ":"
                                                        + new String(Targets.readPassword(connection, cred)))
                                                .getBytes(StandardCharsets.UTF_8)),
                        false);
            } else {
                return Future.succeededFuture(null);
            }
            return value.map(v -> {
                        authorization = v;
                        readAt = System.nanoTime();
                        return v;
                    })
                    .recover(e -> {
                        // the file name is configuration, not a secret; the exception text is not shown to the agent
                        LOG.warnf(
                                "cannot read the credential of connection %s: %s",
                                connection.name(), e.getClass().getSimpleName());
                        return Future.failedFuture(new TargetException("the credential of connection "
                                + connection.name() + " cannot be read; see the proxy log"));
                    });
        }

        /** The target URI path of a request: the address's base path, then the agent's path. */
        String uri(String path, String query) {
            String p = basePath.isEmpty() ? path : basePath + path;
            return query == null || query.isEmpty() ? p : p + "?" + query;
        }
    }

    private final Vertx vertx;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    HttpTargets(Vertx vertx, Duration connectTimeout, Duration idleTimeout) {
        this.vertx = vertx;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
    }

    /**
     * The target of {@code c} for a session at {@code access} (the level its token grants): one per connection, or
     * one per level when the connection has credentials per level.
     */
    Target target(Connection c, String access) throws TargetException {
        String key = c.credentialsPerLevel() ? c.name() + ':' + access : c.name();
        Target t = targets.get(key);
        if (t != null) {
            return t;
        }
        try {
            t = create(c, Targets.credentials(c, access).orElse(null));
        } catch (RuntimeException e) {
            LOG.warnf("connection %s: cannot set up its HTTP client: %s", c.name(), e.getMessage());
            throw new TargetException("connection " + c.name() + " is misconfigured; see the proxy log");
        }
        Target raced = targets.putIfAbsent(key, t);
        if (raced != null) {
            t.client.close();
            return raced;
        }
        return t;
    }

    private Target create(Connection c, Credentials cred) {
        String address = c.address();
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("no address");
        }
        String host;
        int port;
        boolean tls;
        String basePath = "";
        if (address.startsWith("http://") || address.startsWith("https://")) {
            URI u = URI.create(address);
            tls = u.getScheme().equals("https");
            host = u.getHost();
            port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
            String p = u.getRawPath() == null ? "" : u.getRawPath();
            basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        } else {
            tls = Targets.tls(c);
            int i = address.lastIndexOf(':');
            host = i < 0 ? address : address.substring(0, i);
            port = i < 0 ? (tls ? 443 : 80) : Integer.parseInt(address.substring(i + 1));
        }
        HttpClientOptions o = new HttpClientOptions()
                // no span per forwarded request, and the agent's own trace headers reach the target unchanged
                .setTracingPolicy(TracingPolicy.IGNORE)
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setIdleTimeout((int) idleTimeout.toSeconds())
                .setMaxHeaderSize(64 * 1024)
                .setDecompressionSupported(false);
        if (tls) {
            o.setSsl(true).setVerifyHost(true).setForceSni(true);
            if (c.tls() != null && c.tls().caFile() != null) {
                o.setTrustOptions(new PemTrustOptions().addCertPath(c.tls().caFile()));
            }
            if (cred != null && cred.clientCertFile() != null && cred.clientKeyFile() != null) {
                o.setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(cred.clientCertFile())
                        .setKeyPath(cred.clientKeyFile()));
            }
        }
        HttpClient client = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(64));
        LOG.infof(
                "connection %s (%s): target %s://%s:%d%s",
                c.name(), c.type(), tls ? "https" : "http", host, port, basePath);
        return new Target(vertx, c, cred, host, port, tls, basePath, client);
    }

    List<Target> all() {
        return List.copyOf(targets.values());
    }

    @Override
    public void close() {
        targets.values().forEach(t -> t.client.close());
    }
}
