package dev.portcullis.proxy.ssh;

import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.ConnectionCatalog;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Vertx;

/**
 * Everything an SSH session needs from the application, handed over once (no CDI in this package);
 * {@code tracer} makes each session's span, on {@code vertx}'s contexts (see SessionContext).
 */
public record SshGateway(
        ProxyConfig config,
        ConnectionCatalog connections,
        TokenValidator tokens,
        PolicyDecider policy,
        Masker masker,
        EventPublisher events,
        SessionRegistry registry,
        ReviewHolds holds,
        Tracer tracer,
        Vertx vertx) {}
