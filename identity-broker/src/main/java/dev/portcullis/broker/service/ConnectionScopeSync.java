package dev.portcullis.broker.service;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.ConnectionCatalog;
import dev.portcullis.broker.keycloak.KeycloakAdmin;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps Keycloak in step with the connections file: a {@code conn:<connection>:<access>} scope
 * for each declared access level, and the token lifespan of the broker's client. Runs at start
 * and whenever the file changes; a failed attempt is retried on the next tick. Its state is the
 * readiness check {@code keycloak-connection-scopes} ({@code health/ConnectionScopesReadiness}).
 */
@ApplicationScoped
public class ConnectionScopeSync {

    private static final Logger LOG = Logger.getLogger(ConnectionScopeSync.class);

    private final ConnectionCatalog catalog;
    private final KeycloakAdmin keycloak;
    private final BrokerConfig config;
    private volatile boolean inSync;
    private volatile String lastError = "not synchronised yet";
    private volatile Instant lastSync;

    public ConnectionScopeSync(ConnectionCatalog catalog, KeycloakAdmin keycloak, BrokerConfig config) {
        this.catalog = catalog;
        this.keycloak = keycloak;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        catalog.reloadIfChanged();
        sync();
    }

    /** Worker thread (blocking admin client). */
    @Scheduled(
            every = "${portcullis.connections.reload-interval:10s}",
            delayed = "${portcullis.connections.reload-interval:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (catalog.reloadIfChanged() || !inSync) {
            sync();
        }
    }

    /** Blocking; public so tests and an admin endpoint can force a pass. */
    public synchronized boolean sync() {
        try {
            keycloak.ensureExchangeLifespanBlocking(config.tokens().lifespan().toSeconds());
            keycloak.ensureConnectionScopesBlocking(catalog.all());
            inSync = true;
            lastError = null;
            lastSync = Instant.now();
        } catch (RuntimeException e) {
            inSync = false;
            lastError = e.getMessage();
            LOG.errorf("could not bring Keycloak in step with the connections: %s", e.getMessage());
        }
        return inSync;
    }

    /** True once the last pass succeeded. */
    public boolean inSync() {
        return inSync;
    }

    /** Why the last pass failed, or null. */
    public String lastError() {
        return lastError;
    }

    /** When the last pass succeeded, or null. */
    public Instant lastSync() {
        return lastSync;
    }
}
