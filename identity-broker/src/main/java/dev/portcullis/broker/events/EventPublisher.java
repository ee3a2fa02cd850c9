package dev.portcullis.broker.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.AgentDisabled;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventSources;
import dev.portcullis.contracts.events.GrantChanged;
import dev.portcullis.contracts.events.ReviewDecided;
import dev.portcullis.contracts.events.ReviewRequested;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes the broker's events: contracts' {@link CloudEvent} around one of its payload records, written by the
 * service's ObjectMapper and signed by {@link ControlEventSigner} (session-proxy believes no unsigned approval).
 * Key = the entity id (agent, grant or review). The returned Uni completes when Kafka acknowledged the record.
 */
@ApplicationScoped
// native: the contract's records are written (and ReviewRequested read) through the ObjectMapper, outside any REST
// signature
@RegisterForReflection(
        targets = {CloudEvent.class, AgentDisabled.class, GrantChanged.class, ReviewDecided.class, ReviewRequested.class
        })
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    /** How long a publish waits for Kafka's acknowledgement before it fails. */
    public static final java.time.Duration PUBLISH_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final MutinyEmitter<String> identityEvents;
    private final MutinyEmitter<String> reviewDecisions;
    private final ObjectMapper json;
    private final ControlEventSigner signer;

    public EventPublisher(
            @Channel(Topics.IDENTITY_EVENTS) MutinyEmitter<String> identityEvents,
            @Channel(Topics.REVIEW_DECISIONS) MutinyEmitter<String> reviewDecisions,
            ObjectMapper json,
            ControlEventSigner signer) {
        this.identityEvents = identityEvents;
        this.reviewDecisions = reviewDecisions;
        this.json = json;
        this.signer = signer;
    }

    /** {@code agent.disabled} or {@code grant.*}; {@code subject} is the agent's name. */
    public Uni<Void> identityEvent(String type, String key, String subject, Object data) {
        return send(
                identityEvents,
                Topics.IDENTITY_EVENTS,
                key,
                CloudEvent.of(EventSources.IDENTITY_BROKER, type, subject, data));
    }

    /** {@code review.approved|denied|expired}, keyed by and about the review. */
    public Uni<Void> reviewDecision(String type, String reviewId, ReviewDecided data) {
        return send(
                reviewDecisions,
                Topics.REVIEW_DECISIONS,
                reviewId,
                CloudEvent.of(EventSources.IDENTITY_BROKER, type, reviewId, data));
    }

    private Uni<Void> send(MutinyEmitter<String> emitter, String topic, String key, CloudEvent<?> event) {
        String value;
        try {
            value = signer.sign(json.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        Message<String> message = Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(key)
                        .build());
        // bounded: a Kafka that stops answering must not hang the caller (docs/architecture.md "Delivery, per
        // producer"); the caller hears a clear failure instead of a success the proxies never learn of
        return emitter.sendMessage(message)
                .ifNoItem()
                .after(PUBLISH_TIMEOUT)
                .failWith(() -> new java.util.concurrent.TimeoutException(
                        "Kafka did not acknowledge it within " + PUBLISH_TIMEOUT.toSeconds() + " s"))
                .onFailure()
                .transform(e -> new EventNotPublishedException(
                        "could not publish " + event.type() + " " + key + " to " + topic + ": " + e.getMessage(), e))
                .onFailure()
                .invoke(e -> LOG.error(e.getMessage()));
    }
}
