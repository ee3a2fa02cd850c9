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
import dev.portcullis.proxy.http.HttpGateway;
import dev.portcullis.proxy.http.HttpProxyServer;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;

/** Starts the HTTP/Kubernetes gateway ({@link HttpProxyServer}, which has no CDI in it) with the application's collaborators. */
@ApplicationScoped
public class HttpListener {

    private final ProxyConfig config;
    private final HttpGateway gateway;
    private HttpProxyServer server;

    public HttpListener(
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
        this.config = config;
        this.gateway = new HttpGateway(
                vertx, config, connections, tokens, policy, masker, events, registry, holds, tracer, decisions);
    }

    void onStart(@Observes StartupEvent ev) {
        if (!config.http().enabled()) {
            return;
        }
        server = new HttpProxyServer(gateway);
        server.start()
                .toCompletionStage()
                .toCompletableFuture()
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (server != null) {
            server.close();
        }
    }

    /** The bound port (differs from the configured one when that is 0), -1 when not running. */
    public int actualPort() {
        return server == null ? -1 : server.port();
    }

    /** Agent connections open now. */
    public int openConnections() {
        return server == null ? 0 : server.openConnections();
    }
}
