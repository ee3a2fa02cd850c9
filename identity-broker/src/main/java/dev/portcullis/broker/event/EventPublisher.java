package dev.portcullis.broker.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes the broker's events. Key = the entity id (agent, grant or review), value = a
 * CloudEvent. The returned Uni completes when Kafka acknowledged the record.
 */
@ApplicationScoped
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final MutinyEmitter<String> identityEvents;
    private final MutinyEmitter<String> reviewDecisions;
    private final ObjectMapper json;

    public EventPublisher(
            @Channel(Topics.IDENTITY_EVENTS) MutinyEmitter<String> identityEvents,
            @Channel(Topics.REVIEW_DECISIONS) MutinyEmitter<String> reviewDecisions,
            ObjectMapper json) {
        this.identityEvents = identityEvents;
        this.reviewDecisions = reviewDecisions;
        this.json = json;
    }

    public Uni<Void> identityEvent(String key, CloudEvent event) {
        return send(identityEvents, Topics.IDENTITY_EVENTS, key, event);
    }

    public Uni<Void> reviewDecision(String key, CloudEvent event) {
        return send(reviewDecisions, Topics.REVIEW_DECISIONS, key, event);
    }

    private Uni<Void> send(MutinyEmitter<String> emitter, String topic, String key, CloudEvent event) {
        String value;
        try {
            value = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        Message<String> message = Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build());
        return emitter.sendMessage(message)
                .onFailure()
                .invoke(e -> LOG.errorf("could not publish %s %s to %s: %s", event.type(), key, topic, e.getMessage()));
    }
}
