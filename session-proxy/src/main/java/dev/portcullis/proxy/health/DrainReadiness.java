package dev.portcullis.proxy.health;

import dev.portcullis.proxy.enforcement.SessionRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Down while the pod drains for a shutdown ({@code ShutdownDrain}): it takes no new session. */
@Readiness
@ApplicationScoped
public class DrainReadiness implements HealthCheck {

    private final SessionRegistry registry;

    DrainReadiness(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("drain")
                .status(!registry.draining())
                .withData("sessions", registry.sessions().size())
                .build();
    }
}
