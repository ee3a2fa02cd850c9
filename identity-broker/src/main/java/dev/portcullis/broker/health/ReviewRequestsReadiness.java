package dev.portcullis.broker.health;

import dev.portcullis.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready until the {@code review-requests} consumer has joined its group and been given its
 * partitions: before that a statement held by session-proxy reaches the broker only seconds later
 * (the group join), and an approver listing pending reviews sees none. Once assigned, a rebalance or
 * a Kafka outage does not make the broker unready: the consumer resumes from its committed offsets,
 * as session-proxy's {@code control-events} check does.
 *
 * <p>Registered as the channel's rebalance listener ({@code consumer-rebalance-listener.name}).
 */
@Readiness
@ApplicationScoped
@Identifier(ReviewRequestsReadiness.NAME)
public class ReviewRequestsReadiness implements HealthCheck, KafkaConsumerRebalanceListener {

    static final String NAME = "review-requests-readiness";

    private volatile boolean assigned;

    /** Kafka calls this at the end of every rebalance, also when this member got no partition. */
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        assigned = true;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(Topics.REVIEW_REQUESTS)
                .status(assigned)
                .withData("consumer", assigned ? "assigned" : "joining its group")
                .build();
    }
}
