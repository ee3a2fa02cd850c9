package dev.portcullis.proxy;

import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.ConnectionCatalog;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.pg.PgBackendTls;
import dev.portcullis.proxy.pg.PgGateway;
import dev.portcullis.proxy.pg.ReadRoleAuditCache;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The PostgreSQL listener: one Vert.x TCP server per event loop on one port, one {@code pg.PgSession} per client
 * connection, living on the event loop that accepted it.
 */
@ApplicationScoped
public class PgListener {

    private static final Logger LOG = Logger.getLogger(PgListener.class);

    private final Vertx vertx;
    private final ProxyConfig config;
    private final PgGateway gateway;
    private final List<String> deployments = new CopyOnWriteArrayList<>();
    private volatile int port = -1;

    public PgListener(
            Vertx vertx,
            ProxyConfig config,
            ConnectionCatalog connections,
            TokenValidator tokens,
            PolicyDecider policy,
            Masker masker,
            EventPublisher events,
            SessionRegistry registry,
            ReviewHolds holds,
            Tracer tracer,
            DecisionCache decisions) {
        this.vertx = vertx;
        this.config = config;
        int connectTimeout = (int) config.pg().backendConnectTimeout().toMillis();
        boolean tls =
                config.pg().certFile().isPresent() && config.pg().keyFile().isPresent();
        this.gateway = new PgGateway(
                vertx,
                config,
                connections,
                tokens,
                policy,
                // the application's one Masker (MaskerProducer): the same hash key as SSH and HTTP
                masker,
                new SqlAnalyzer(config.pg().maxParseLength()),
                events,
                registry,
                holds,
                vertx.createNetClient(
                        new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true)),
                new PgBackendTls(vertx, connectTimeout),
                new ConcurrentHashMap<>(),
                tls,
                tracer,
                // the proxy's one decision cache (DecisionCacheProducer), tied to the policy revision
                decisions,
                // one catalog cache per process: the sessions of a connection share snapshots
                new PgCatalogCache(),
                new ReadRoleAuditCache(config.pg().readRoleAuditInterval()));
    }

    void onStart(@Observes StartupEvent ev) {
        NetServerOptions options = new NetServerOptions()
                .setHost(config.pg().host())
                .setPort(config.pg().port())
                .setTcpNoDelay(true)
                .setAcceptBacklog(1024);
        if (gateway.clientTls()) {
            // TLS starts only after SSLRequest ('S'), so the server itself listens in plaintext
            options.setKeyCertOptions(new PemKeyCertOptions()
                            .setCertPath(config.pg().certFile().get())
                            .setKeyPath(config.pg().keyFile().get()))
                    .setSsl(false);
        }
        // One server per event loop on the same port: Vert.x hands each new connection to the next of them, so sessions
        // (and their backend sockets, opened from the same context) spread over every event loop instead of sharing
        // the one a single server lives on.
        int loops = Math.max(
                1,
                config.pg().eventLoops() > 0
                        ? config.pg().eventLoops()
                        : Runtime.getRuntime().availableProcessors());
        if (loops > 1 && options.getPort() == 0) {
            // Vert.x shares a listening socket between servers of the same host and configured port, and port 0 is
            // not shared: pick the free port first (tests listen on port 0)
            options.setPort(freePort(options.getHost()));
        }
        port = deploy(options, loops);
        LOG.infof(
                "PostgreSQL gateway listening on %s:%d on %d event loop(s) (TLS %s, plaintext %s)",
                config.pg().host(),
                port,
                loops,
                gateway.clientTls() ? "on" : "off",
                config.pg().plaintext());
    }

    /** Deploys {@code instances} servers, each on an event loop of its own; returns the port they listen on. */
    private int deploy(NetServerOptions options, int instances) {
        int[] bound = {-1};
        String id = vertx.deployVerticle(
                        () -> new AbstractVerticle() {
                            @Override
                            public void start(Promise<Void> started) {
                                vertx.createNetServer(options)
                                        .connectHandler(gateway::accept)
                                        .listen()
                                        .onSuccess(s -> {
                                            synchronized (bound) {
                                                bound[0] = s.actualPort();
                                            }
                                            started.complete();
                                        })
                                        .onFailure(started::fail);
                            }
                        },
                        new DeploymentOptions().setInstances(instances))
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
        deployments.add(id);
        synchronized (bound) {
            return bound[0];
        }
    }

    private static int freePort(String host) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        for (String id : deployments) {
            vertx.undeploy(id); // closes its servers
        }
    }

    /** The bound port (differs from the configured one when that is 0). */
    public int actualPort() {
        return port;
    }
}
