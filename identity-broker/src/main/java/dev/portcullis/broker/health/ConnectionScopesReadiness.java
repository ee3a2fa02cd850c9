package dev.portcullis.broker.health;

import dev.portcullis.broker.connection.ConnectionCatalog;
import dev.portcullis.broker.service.ConnectionScopeSync;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while Keycloak is not in step with the connections file ({@link ConnectionScopeSync}). */
@Readiness
@ApplicationScoped
public class ConnectionScopesReadiness implements HealthCheck {

    private final ConnectionScopeSync sync;
    private final ConnectionCatalog catalog;

    ConnectionScopesReadiness(ConnectionScopeSync sync, ConnectionCatalog catalog) {
        this.sync = sync;
        this.catalog = catalog;
    }

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("keycloak-connection-scopes")
                .status(sync.inSync())
                .withData("connections", catalog.all().size());
        Instant lastSync = sync.lastSync();
        if (lastSync != null) {
            b.withData("lastSync", lastSync.toString());
        }
        String lastError = sync.lastError();
        if (lastError != null) {
            b.withData("error", lastError);
        }
        return b.build();
    }
}
