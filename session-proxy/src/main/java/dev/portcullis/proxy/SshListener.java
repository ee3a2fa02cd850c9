package dev.portcullis.proxy;

import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.ConnectionCatalog;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.ssh.SshGateway;
import dev.portcullis.proxy.ssh.SshProxyServer;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Starts the SSH gateway ({@link SshProxyServer}, which has no CDI in it) with the application's collaborators. */
@ApplicationScoped
public class SshListener {

    private final ProxyConfig config;
    private final SshGateway gateway;
    private SshProxyServer server;

    public SshListener(
            ProxyConfig config,
            ConnectionCatalog connections,
            TokenValidator tokens,
            PolicyDecider policy,
            Masker masker,
            EventPublisher events,
            SessionRegistry registry,
            ReviewHolds holds,
            Tracer tracer,
            Vertx vertx) {
        this.config = config;
        this.gateway =
                new SshGateway(config, connections, tokens, policy, masker, events, registry, holds, tracer, vertx);
    }

    void onStart(@Observes StartupEvent ev) {
        if (!config.ssh().enabled()) {
            return;
        }
        server = new SshProxyServer(gateway);
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the SSH gateway", e);
        }
    }

    void onStop(@Observes ShutdownEvent ev) throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** The bound port (differs from the configured one when that is 0), -1 when not running. */
    public int actualPort() {
        return server == null ? -1 : server.port();
    }
}
