package dev.portcullis.broker.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.api.ReviewApi.ReviewView;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.entity.Review;
import dev.portcullis.broker.events.EventPublisher;
import dev.portcullis.broker.notify.Notifier;
import dev.portcullis.broker.repository.AgentRepository;
import dev.portcullis.broker.repository.ReviewRepository;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewDecided;
import dev.portcullis.contracts.events.ReviewRequested;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** Command reviews: held by session-proxy, decided here, the decision sent back over Kafka. */
@ApplicationScoped
public class ReviewService {

    private static final Logger LOG = Logger.getLogger(ReviewService.class);
    public static final String TARGET = "review";

    private final ReviewRepository reviews;
    private final AgentRepository agents;
    private final AuditService audit;
    private final EventPublisher events;
    private final Notifier notifier;
    private final ObjectMapper json;
    private final BrokerConfig.Reviews config;

    public ReviewService(
            ReviewRepository reviews,
            AgentRepository agents,
            AuditService audit,
            EventPublisher events,
            Notifier notifier,
            ObjectMapper json,
            BrokerConfig config) {
        this.reviews = reviews;
        this.agents = agents;
        this.audit = audit;
        this.events = events;
        this.notifier = notifier;
        this.json = json;
        this.config = config.reviews();
    }

    /** Stores a new review; a redelivered one (same id) is ignored. */
    public Uni<Review> received(String eventId, ReviewRequested r) {
        String id = r.reviewId() != null && !r.reviewId().isBlank() ? r.reviewId() : eventId;
        if (id == null || r.agent() == null || r.connection() == null) {
            LOG.warnf("review.requested without review_id/agent/connection ignored (event %s)", eventId);
            return Uni.createFrom().nullItem();
        }
        OffsetDateTime now = now();
        OffsetDateTime limit = now.plus(config.timeout());
        return Panache.withTransaction(() -> reviews.findById(id).flatMap(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().<Review>nullItem();
                    }
                    Review v = new Review();
                    v.id = id;
                    v.sessionId = r.sessionId();
                    v.agent = r.agent();
                    v.connection = r.connection();
                    v.request = text(r.request());
                    v.reasons = text(r.reasons());
                    v.status = Review.Status.PENDING;
                    v.requestedAt = now;
                    // validated as RFC 3339 by the listener (ReviewRequested.validate)
                    OffsetDateTime asked = r.expiresAt() == null
                            ? null
                            : OffsetDateTime.parse(r.expiresAt()).withOffsetSameInstant(ZoneOffset.UTC);
                    v.expiresAt = asked != null && asked.isBefore(limit) ? asked : limit;
                    return reviews.persist(v)
                            .call(() -> audit.record(
                                    "agent:" + v.agent,
                                    EventTypes.REVIEW_REQUESTED,
                                    TARGET,
                                    v.id,
                                    Map.of("session_id", String.valueOf(v.sessionId), "connection", v.connection)));
                }))
                .call(v -> v == null
                        ? Uni.createFrom().voidItem()
                        : notifier.notify("Review " + v.id + ": agent " + v.agent + " on " + v.connection
                                + " waits for approval"));
    }

    public Uni<List<ReviewView>> list(Review.Status status, int limit) {
        return Panache.withSession(() -> reviews.byStatus(status, limit))
                .map(l -> l.stream().map(this::view).toList());
    }

    public Uni<ReviewView> get(String id) {
        return Panache.withSession(() -> reviews.findById(id)).map(v -> {
            if (v == null) {
                throw ProblemException.notFound("no review " + id);
            }
            return view(v);
        });
    }

    /**
     * Approves or denies. The approver comes from the verified token; an agent's owner may not
     * decide that agent's reviews unless configured so.
     */
    public Uni<ReviewView> decide(String id, boolean approve, String approver, String comment) {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> reviews.findById(id).flatMap(v -> {
                    if (v == null) {
                        throw ProblemException.notFound("no review " + id);
                    }
                    if (v.status != Review.Status.PENDING) {
                        throw ProblemException.conflict("review " + id + " is already "
                                + v.status.name().toLowerCase());
                    }
                    if (!v.expiresAt.isAfter(now)) {
                        throw ProblemException.conflict("review " + id + " has expired");
                    }
                    return agents.findByName(v.agent).flatMap(agent -> {
                        if (!config.allowOwnerApproval() && agent != null && approver.equals(agent.owner)) {
                            throw ProblemException.forbidden(
                                    approver + " owns agent " + v.agent + " and may not decide its reviews");
                        }
                        v.status = approve ? Review.Status.APPROVED : Review.Status.DENIED;
                        v.decidedBy = approver;
                        v.decidedAt = now;
                        v.comment = comment;
                        return audit.record(
                                        approver,
                                        approve ? EventTypes.REVIEW_APPROVED : EventTypes.REVIEW_DENIED,
                                        TARGET,
                                        v.id,
                                        comment == null ? Map.of() : Map.of("comment", comment))
                                .replaceWith(v);
                    });
                }))
                .call(v -> publish(v))
                .map(this::view);
    }

    public Uni<Integer> expireDue() {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> reviews.dueToExpire(now, 100).flatMap(due -> {
                    due.forEach(v -> {
                        v.status = Review.Status.EXPIRED;
                        v.decidedAt = now;
                        v.decidedBy = "system";
                    });
                    return Multi.createFrom()
                            .iterable(due)
                            .onItem()
                            .transformToUniAndConcatenate(
                                    v -> audit.record("system", EventTypes.REVIEW_EXPIRED, TARGET, v.id, Map.of())
                                            .replaceWith(v))
                            .collect()
                            .asList();
                }))
                .flatMap(expired -> Multi.createFrom()
                        .iterable(expired)
                        .onItem()
                        .transformToUniAndConcatenate(
                                v -> publish(v).onFailure().recoverWithNull())
                        .collect()
                        .asList()
                        .map(l -> expired.size()));
    }

    private Uni<Void> publish(Review v) {
        String type = switch (v.status) {
            case APPROVED -> EventTypes.REVIEW_APPROVED;
            case DENIED -> EventTypes.REVIEW_DENIED;
            case EXPIRED -> EventTypes.REVIEW_EXPIRED;
            case PENDING -> throw new IllegalStateException("pending reviews are not published");
        };
        ReviewDecided data = new ReviewDecided(
                v.id,
                v.sessionId,
                v.agent,
                v.connection,
                v.status.name().toLowerCase(),
                v.decidedBy,
                v.decidedAt.toString(),
                v.comment);
        return events.reviewDecision(type, v.id, data);
    }

    private ReviewView view(Review v) {
        return new ReviewView(
                v.id,
                v.sessionId,
                v.agent,
                v.connection,
                node(v.request),
                node(v.reasons),
                v.status.name().toLowerCase(),
                v.requestedAt,
                v.expiresAt,
                v.decidedBy,
                v.decidedAt,
                v.comment);
    }

    private String text(Object n) {
        try {
            return n == null ? null : json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private JsonNode node(String s) {
        try {
            return s == null ? null : json.readTree(s);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
