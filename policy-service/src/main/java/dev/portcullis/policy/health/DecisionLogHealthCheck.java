package dev.portcullis.policy.health;

import dev.portcullis.contracts.Topics;
import dev.portcullis.policy.config.PolicyConfig;
import dev.portcullis.policy.decisionlog.DecisionLogPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Unready while decision logs are being lost or decisions refused for want of one (within the configured window of
 * the last); named by the topic.
 */
@Readiness
@ApplicationScoped
public class DecisionLogHealthCheck implements HealthCheck {

    @Inject
    DecisionLogPublisher publisher;

    @Inject
    PolicyConfig config;

    @Override
    public HealthCheckResponse call() {
        long since = publisher.nanosSinceLastLoss();
        boolean losing =
                since >= 0 && since < config.decisionLog().unreadyAfterLoss().toNanos();
        return HealthCheckResponse.named(Topics.DECISION_LOGS)
                .status(!losing)
                .withData("dropped", publisher.droppedCount())
                .withData("refused", publisher.refusedCount())
                .withData("sent", publisher.sentCount())
                .build();
    }
}
