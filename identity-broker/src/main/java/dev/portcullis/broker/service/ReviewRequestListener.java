package dev.portcullis.broker.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code review.requested} from session-proxy. Records that are not one, or that the contract finds
 * unusable ({@link CloudEvent#validate()}, {@link ReviewRequested#validate()}), are logged and skipped: the proxy's
 * hold then expires, and the request is refused.
 */
@ApplicationScoped
public class ReviewRequestListener {

    private static final Logger LOG = Logger.getLogger(ReviewRequestListener.class);
    private static final TypeReference<CloudEvent<ReviewRequested>> EVENT = new TypeReference<>() {};

    /** A review request as read: the event id (the review id's fallback) and its data. */
    record Received(String eventId, ReviewRequested data) {}

    private final ReviewService service;
    private final ObjectMapper json;

    public ReviewRequestListener(ReviewService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    @Incoming(Topics.REVIEW_REQUESTS)
    public Uni<Void> onMessage(String value) {
        return read(json, value)
                .map(r -> service.received(r.eventId(), r.data()).replaceWithVoid())
                .orElseGet(() -> Uni.createFrom().voidItem());
    }

    /** The review request in {@code value}, or empty (logged) when it is none or cannot be used. */
    static Optional<Received> read(ObjectMapper json, String value) {
        CloudEvent<ReviewRequested> event;
        try {
            event = json.readValue(value, EVENT);
        } catch (Exception e) {
            LOG.warnf("unreadable record on %s skipped: %s", Topics.REVIEW_REQUESTS, e.getMessage());
            return Optional.empty();
        }
        if (!EventTypes.REVIEW_REQUESTED.equals(event.type())) {
            return Optional.empty(); // another type on the topic: not ours to read
        }
        List<String> problems = new ArrayList<>(event.validate());
        if (event.data() != null) {
            problems.addAll(event.data().validate());
        }
        if (!problems.isEmpty()) {
            LOG.warnf(
                    "%s %s on %s skipped: %s",
                    EventTypes.REVIEW_REQUESTED, event.id(), Topics.REVIEW_REQUESTS, String.join("; ", problems));
            return Optional.empty();
        }
        return Optional.of(new Received(event.id(), event.data()));
    }
}
