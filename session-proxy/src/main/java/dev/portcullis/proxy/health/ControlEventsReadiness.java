package dev.portcullis.proxy.health;

import dev.portcullis.contracts.Topics;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.ControlEventsListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the kill-switch and review-decision consumer reads its topics and has rebuilt the kill switch's
 * cut-offs from {@code identity-events}: a pod taking sessions before that would not hear an {@code agent.disabled}
 * sent in the meantime, nor remember one sent before it started (fail closed).
 * Once reading, a Kafka outage does not make the pod unready: events are read when Kafka is back.
 */
@Readiness
@ApplicationScoped
public class ControlEventsReadiness implements HealthCheck {

    private final ProxyConfig config;
    private final ControlEventsListener listener;

    ControlEventsReadiness(ProxyConfig config, ControlEventsListener listener) {
        this.config = config;
        this.listener = listener;
    }

    @Override
    public HealthCheckResponse call() {
        boolean enabled = config.events().enabled();
        return HealthCheckResponse.named("control-events")
                .status(!enabled || listener.isReady())
                .withData("topics", Topics.IDENTITY_EVENTS + "," + Topics.REVIEW_DECISIONS)
                .withData("enabled", enabled)
                .withData("kill-switch-rebuild-ms", listener.rebuildMillis())
                .build();
    }
}
