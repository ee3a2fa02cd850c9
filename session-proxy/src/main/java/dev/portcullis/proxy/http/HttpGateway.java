package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.ConnectionCatalog;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Vertx;

/**
 * Everything the HTTP/Kubernetes gateway needs from the application, handed over once (no CDI in this
 * package); {@code tracer} makes each session's span; {@code decisions} is the proxy's one decision cache.
 */
public record HttpGateway(
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

    static boolean isHttpType(Connection c) {
        return c.type() == ConnectionType.KUBERNETES || c.type() == ConnectionType.HTTP;
    }
}
