package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code data} of {@code review.approved}, {@code review.denied} and {@code review.expired} (review-decisions,
 * identity-broker → session-proxy). The Kafka key and the event's subject are the review id. Fields without a
 * value are written as null.
 *
 * @param decision approved, denied or expired: the type's last word
 * @param decidedBy the approver's user name, or {@code system} for an expiry
 * @param decidedAt RFC 3339
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewDecided(
        @JsonProperty("review_id") String reviewId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("agent") String agent,
        @JsonProperty("connection") String connection,
        @JsonProperty("decision") String decision,
        @JsonProperty("decided_by") String decidedBy,
        @JsonProperty("decided_at") String decidedAt,
        @JsonProperty("comment") String comment) {

    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    public static final String EXPIRED = "expired";

    /** One line per problem; empty when a proxy can complete the held request from it. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "review_id", reviewId);
        Validation.oneOf(p, "decision", decision, List.of(APPROVED, DENIED, EXPIRED));
        Validation.timestamp(p, "decided_at", decidedAt, false);
        return p;
    }
}
