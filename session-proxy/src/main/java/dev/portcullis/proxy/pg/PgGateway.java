package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.ConnectionCatalog;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything a PostgreSQL session needs from the application, handed over once by {@code PgListener};
 * {@code tracer} makes its span. {@code decisions} is the proxy's one decision cache (every protocol's);
 * {@code catalogs} the catalog snapshots of this process, shared by the sessions of a connection; {@code audits}
 * when each read credential last passed the read-role audit.
 */
public record PgGateway(
        Vertx vertx,
        ProxyConfig config,
        ConnectionCatalog connections,
        TokenValidator tokens,
        PolicyDecider policy,
        Masker masker,
        SqlAnalyzer sql,
        EventPublisher events,
        SessionRegistry registry,
        ReviewHolds holds,
        NetClient backendClient,
        PgBackendTls backendTls,
        Map<Long, PgSession> cancelKeys,
        boolean clientTls,
        Tracer tracer,
        DecisionCache decisions,
        PgCatalogCache catalogs,
        ReadRoleAuditCache audits) {

    public PgGateway {
        cancelKeys = cancelKeys == null ? new ConcurrentHashMap<>() : cancelKeys;
        catalogs = catalogs == null ? new PgCatalogCache() : catalogs;
        audits = audits == null ? new ReadRoleAuditCache(config.pg().readRoleAuditInterval()) : audits;
    }

    /** Serves one client connection with a {@link PgSession} of its own. */
    public void accept(NetSocket client) {
        new PgSession(this, client).start();
    }

    static long cancelKey(int pid, int secret) {
        return ((long) pid << 32) | (secret & 0xffffffffL);
    }
}
