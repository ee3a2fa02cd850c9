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
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** The PostgreSQL listener: one Vert.x TCP server, one {@code pg.PgSession} per client connection. */
@ApplicationScoped
public class PgListener {

    private static final Logger LOG = Logger.getLogger(PgListener.class);

    private final Vertx vertx;
    private final ProxyConfig config;
    private final PgGateway gateway;
    private NetServer server;

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
        server = vertx.createNetServer(options).connectHandler(gateway::accept);
        server.listen()
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
        LOG.infof(
                "PostgreSQL gateway listening on %s:%d (TLS %s, plaintext %s)",
                config.pg().host(),
                actualPort(),
                gateway.clientTls() ? "on" : "off",
                config.pg().plaintext());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (server != null) {
            server.close();
        }
    }

    /** The bound port (differs from the configured one when that is 0). */
    public int actualPort() {
        return server == null ? -1 : server.actualPort();
    }
}
