package dev.portcullis.recorder.ingest;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.recorder.events.SessionEventType;
import java.util.List;

/**
 * What a session counts as a denial and as a review, from a staged event's type and action: one rule for the counts
 * kept as events arrive ({@link SessionEventStore}) and the recording's own count when it is written ({@link
 * RecordingFinalizer}), so the two agree.
 *
 * <p>A decision is a {@code session.decision}'s, or (v2) the one a {@code session.request} carries (the parser sets
 * an action on no other event). A denial: the policy said deny, or a held request was refused (the parser names a
 * review's outcome as the broker's event does: {@code review.denied}/{@code review.expired}). A review: the policy's
 * own {@code review}; {@code review.waiting} follows it and is not counted again.
 */
final class DecisionCounts {

    /** The wire types that carry a decision. */
    static final List<String> DECIDING_TYPES =
            List.of(SessionEventType.DECISION.wire(), SessionEventType.REQUEST.wire());

    /** The actions counted as a denial. */
    static final List<String> DENIALS = List.of("deny", EventTypes.REVIEW_DENIED, EventTypes.REVIEW_EXPIRED);

    /** The action counted as a review. */
    static final String REVIEW = "review";

    private DecisionCounts() {}

    static boolean decides(SessionEventType type) {
        return type == SessionEventType.DECISION || type == SessionEventType.REQUEST;
    }

    static boolean isDenial(SessionEventType type, String action) {
        return action != null && decides(type) && DENIALS.contains(action);
    }

    static boolean isReview(SessionEventType type, String action) {
        return decides(type) && REVIEW.equals(action);
    }
}
