package dev.portcullis.broker.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.api.ReviewApi.ApprovalView;
import dev.portcullis.broker.api.ReviewApi.ReviewView;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.Connection;
import dev.portcullis.broker.connection.ConnectionCatalog;
import dev.portcullis.broker.entity.Review;
import dev.portcullis.broker.entity.ReviewApproval;
import dev.portcullis.broker.events.EventPublisher;
import dev.portcullis.broker.notify.Notifier;
import dev.portcullis.broker.repository.AgentRepository;
import dev.portcullis.broker.repository.ReviewApprovalRepository;
import dev.portcullis.broker.repository.ReviewRepository;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewDecided;
import dev.portcullis.contracts.events.ReviewRequested;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Command reviews: held by session-proxy, decided here, the decision sent back over Kafka. A review of a connection
 * with a two-person tag (env=prod) needs two distinct approvals; one denial ends it. Only members of a connection's
 * approver groups decide its reviews (docs/architecture.md "Roles").
 */
@ApplicationScoped
public class ReviewService {

    private static final Logger LOG = Logger.getLogger(ReviewService.class);
    public static final String TARGET = "review";

    private final ReviewRepository reviews;
    private final ReviewApprovalRepository approvals;
    private final ConnectionCatalog connections;
    private final AgentRepository agents;
    private final AuditService audit;
    private final EventPublisher events;
    private final Notifier notifier;
    private final ObjectMapper json;
    private final BrokerConfig.Reviews config;
    private final Map<String, String> twoPersonTags;

    public ReviewService(
            ReviewRepository reviews,
            ReviewApprovalRepository approvals,
            ConnectionCatalog connections,
            AgentRepository agents,
            AuditService audit,
            EventPublisher events,
            Notifier notifier,
            ObjectMapper json,
            BrokerConfig config) {
        this.reviews = reviews;
        this.approvals = approvals;
        this.connections = connections;
        this.agents = agents;
        this.audit = audit;
        this.events = events;
        this.notifier = notifier;
        this.json = json;
        this.config = config.reviews();
        this.twoPersonTags = BrokerConfig.parseTags(this.config.twoPersonTags());
    }

    /** Two for a connection with a two-person tag, and for one the broker does not know (fail closed); else one. */
    int requiredApprovals(String connection) {
        Optional<Connection> c = connections.find(connection);
        return c.isEmpty()
                        || twoPersonTags.entrySet().stream()
                                .anyMatch(
                                        t -> t.getValue().equals(c.get().tags().get(t.getKey())))
                ? 2
                : 1;
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
                    v.rules = text(r.rules());
                    // bounded by the contract (ReviewRequested.validate, checked by the listener)
                    v.history = text(r.history());
                    v.status = Review.Status.PENDING;
                    v.requiredApprovals = requiredApprovals(v.connection);
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
                                    Map.of(
                                            "session_id",
                                            String.valueOf(v.sessionId),
                                            "connection",
                                            v.connection,
                                            "required_approvals",
                                            v.requiredApprovals)));
                }))
                .call(v -> v == null
                        ? Uni.createFrom().voidItem()
                        : notifier.reviewRequested(v.id, v.agent, v.connection));
    }

    public Uni<List<ReviewView>> list(Review.Status status, int limit) {
        return Panache.withSession(() -> reviews.byStatus(status, limit)
                .flatMap(l -> approvals
                        .forReviews(l.stream().map(v -> v.id).toList())
                        .map(all -> {
                            Map<String, List<ReviewApproval>> byReview =
                                    all.stream().collect(Collectors.groupingBy(a -> a.reviewId));
                            return l.stream()
                                    .map(v -> view(v, byReview.getOrDefault(v.id, List.of())))
                                    .toList();
                        })));
    }

    public Uni<ReviewView> get(String id) {
        return Panache.withSession(() -> reviews.findById(id).flatMap(v -> {
            if (v == null) {
                throw ProblemException.notFound("no review " + id);
            }
            return approvals.forReview(id).map(list -> view(v, list));
        }));
    }

    /**
     * Records one approver's decision. The approver comes from the verified token and must be in one of the
     * connection's approver groups (when it has any); an agent's owner may not decide that agent's reviews unless
     * configured so; nobody decides twice. A denial decides at once; an approval decides when the review has its
     * required distinct approvals, else it stays pending (and is returned so).
     */
    public Uni<ReviewView> decide(String id, boolean approve, Approver who, String comment) {
        String approver = who.username();
        OffsetDateTime now = now();
        record Outcome(Review review, ReviewView view) {}
        // the row is locked, so two approvers deciding at once count each other's approval
        return Panache.withTransaction(() -> reviews.findById(id, LockModeType.PESSIMISTIC_WRITE)
                        .flatMap(v -> {
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
                            // the approver groups as the file says now; a connection the broker does not know: nobody
                            // decides
                            who.requireMayDecideFor(
                                    connections
                                            .find(v.connection)
                                            .orElseThrow(
                                                    () -> ProblemException.forbidden(
                                                            "connection " + v.connection
                                                                    + " is not in the broker's connections file; nobody may decide its reviews")));
                            return agents.findByName(v.agent).flatMap(agent -> {
                                if (!config.allowOwnerApproval() && agent != null && approver.equals(agent.owner)) {
                                    throw ProblemException.forbidden(
                                            approver + " owns agent " + v.agent + " and may not decide its reviews");
                                }
                                return approvals.forReview(v.id).flatMap(existing -> {
                                    long approvalsSoFar = who.approvalsWith(existing, approve, "review " + id);
                                    ReviewApproval a = new ReviewApproval(v.id, approver, approve, comment, now);
                                    if (!approve || approvalsSoFar >= Math.max(1, v.requiredApprovals)) {
                                        v.status = approve ? Review.Status.APPROVED : Review.Status.DENIED;
                                        v.decidedBy = approver;
                                        v.decidedAt = now;
                                        v.comment = comment;
                                    }
                                    List<ReviewApproval> all = new ArrayList<>(existing);
                                    all.add(a);
                                    Map<String, Object> details = new LinkedHashMap<>();
                                    details.put("approvals", approvalsSoFar);
                                    details.put("required_approvals", v.requiredApprovals);
                                    if (comment != null) {
                                        details.put("comment", comment);
                                    }
                                    return approvals
                                            .persist(a)
                                            .call(() -> audit.record(
                                                    approver,
                                                    approve ? EventTypes.REVIEW_APPROVED : EventTypes.REVIEW_DENIED,
                                                    TARGET,
                                                    v.id,
                                                    details))
                                            .replaceWith(new Outcome(v, view(v, all)));
                                });
                            });
                        }))
                .call(o -> o.review().status == Review.Status.PENDING
                        ? Uni.createFrom().voidItem()
                        : publish(o.review()))
                .map(Outcome::view);
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

    private ReviewView view(Review v, List<ReviewApproval> list) {
        return new ReviewView(
                v.id,
                v.sessionId,
                v.agent,
                v.connection,
                node(v.request),
                node(v.reasons),
                node(v.rules),
                node(v.history),
                v.status.name().toLowerCase(),
                v.requestedAt,
                v.expiresAt,
                v.decidedBy,
                v.decidedAt,
                v.comment,
                v.requiredApprovals,
                list.stream()
                        .map(a -> new ApprovalView(a.approver, a.decision.toLowerCase(), a.comment, a.decidedAt))
                        .toList());
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
