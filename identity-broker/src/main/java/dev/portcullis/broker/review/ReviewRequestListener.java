package dev.portcullis.broker.review;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.broker.event.CloudEvent;
import dev.portcullis.broker.event.EventTypes;
import dev.portcullis.broker.event.Topics;
import dev.portcullis.broker.review.ReviewApi.ReviewRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Consumes {@code review.requested} from session-proxy. Malformed records are logged and skipped. */
@ApplicationScoped
public class ReviewRequestListener {

    private static final Logger LOG = Logger.getLogger(ReviewRequestListener.class);

    private final ReviewService service;
    private final ObjectMapper json;

    public ReviewRequestListener(ReviewService service, ObjectMapper json) {
        this.service = service;
        this.json = json;
    }

    @Incoming(Topics.REVIEW_REQUESTS)
    public Uni<Void> onMessage(String value) {
        CloudEvent event;
        ReviewRequested data;
        try {
            event = json.readValue(value, CloudEvent.class);
            if (!EventTypes.REVIEW_REQUESTED.equals(event.type()) || event.data() == null) {
                return Uni.createFrom().voidItem();
            }
            data = json.treeToValue(event.data(), ReviewRequested.class);
        } catch (Exception e) {
            LOG.warnf("unreadable record on %s skipped: %s", Topics.REVIEW_REQUESTS, e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return service.received(event.id(), data).replaceWithVoid();
    }
}
