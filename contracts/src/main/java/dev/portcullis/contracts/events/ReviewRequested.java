package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code data} of {@code review.requested} (review-requests, session-proxy → identity-broker): a request held for
 * a human. The Kafka key and the event's subject are the review id.
 *
 * @param reviewId the review; a reader may fall back to the event id when it is absent
 * @param subject the agent's token subject
 * @param request the request as recorded (masked), in the protocol's own shape
 * @param reasons why policy asked for a review
 * @param rules the policy rules that asked for it
 * @param requestSeq seq of the held {@code session.request} in its session
 * @param expiresAt when the proxy stops waiting (RFC 3339); the broker never waits longer than its own limit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReviewRequested(
        @JsonProperty("review_id") String reviewId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("agent") String agent,
        @JsonProperty("subject") String subject,
        @JsonProperty("connection") String connection,
        @JsonProperty("request") Map<String, Object> request,
        @JsonProperty("reasons") List<String> reasons,
        @JsonProperty("rules") List<String> rules,
        @JsonProperty(SessionEventFields.REQUEST_SEQ) Long requestSeq,
        @JsonProperty("expires_at") String expiresAt) {

    /** One line per problem; empty when a broker can open a review from it. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "agent", agent);
        Validation.required(p, "connection", connection);
        if (requestSeq != null && requestSeq < 0) {
            p.add(SessionEventFields.REQUEST_SEQ + ": " + requestSeq + " is negative");
        }
        Validation.timestamp(p, "expires_at", expiresAt, false);
        return p;
    }
}
