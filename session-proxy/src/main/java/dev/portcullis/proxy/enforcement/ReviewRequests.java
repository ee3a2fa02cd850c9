package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.SessionData;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/**
 * Puts one request on hold for human review, the same way for every protocol: the hold is
 * registered first (so a fast approval is not missed), then {@code review.requested} goes to
 * {@code review-requests} and the session records the wait and, later, the outcome. The review carries the
 * session so far: its last requests before the held one, as recorded ({@link SessionRecorder#history}).
 */
public final class ReviewRequests {

    /** A review in progress: the id the agent is told, and the outcome once review-decisions says so. */
    public record Pending(String reviewId, Future<ReviewHolds.Outcome> outcome) {}

    private ReviewRequests() {}

    /**
     * Call on the session's context (the outcome completes there).
     *
     * @param recordedRequest the request as recorded (already masked)
     */
    public static Pending open(
            ReviewHolds holds,
            EventPublisher events,
            SessionRecorder recorder,
            AgentIdentity identity,
            String connection,
            JsonObject recordedRequest,
            Decision decision,
            long requestSeq,
            Duration timeout) {
        String reviewId = UUID.randomUUID().toString();
        Future<ReviewHolds.Outcome> held = holds.hold(reviewId, identity.agent(), connection);
        ReviewRequested data = new ReviewRequested(
                reviewId,
                recorder.sessionId(),
                identity.agent(),
                identity.subject(),
                connection,
                recordedRequest.getMap(),
                decision.reasons(),
                decision.rules(),
                requestSeq,
                Instant.now().plus(timeout).toString(),
                recorder.history(requestSeq));
        events.publish(Topics.REVIEW_REQUESTS, reviewId, EventPublisher.reviewRequested(data));
        recorder.emit(EventTypes.SESSION_DECISION, SessionData.review(requestSeq, "review", reviewId, "waiting"));
        Future<ReviewHolds.Outcome> recorded = held.map(outcome -> {
            recorder.emit(
                    EventTypes.SESSION_DECISION,
                    SessionData.review(
                            requestSeq,
                            outcome == ReviewHolds.Outcome.APPROVED ? "allow" : "deny",
                            reviewId,
                            outcome.name().toLowerCase(Locale.ROOT)));
            return outcome;
        });
        return new Pending(reviewId, recorded);
    }

    /** What the agent is told when a review did not approve. */
    public static String refusal(String reviewId, ReviewHolds.Outcome outcome) {
        return "review " + reviewId + " was "
                + (outcome == ReviewHolds.Outcome.DENIED ? "denied" : "not decided in time (expired)");
    }
}
