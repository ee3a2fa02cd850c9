package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.List;

/** Shapes of the review API (the incoming {@code review.requested} is contracts' ReviewRequested). */
public final class ReviewApi {

    private ReviewApi() {}

    public record Decision(@Size(max = 2000) String comment) {}

    /**
     * A review as the API shows it: {@code rules} the policy's rule ids, {@code history} the session so far ({@code
     * [{seq, request, action}]}, oldest first, masked by the proxy); both absent for reviews stored before they existed
     * or requested without them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReviewView(
            String id,
            @JsonProperty("session_id") String sessionId,
            String agent,
            String connection,
            JsonNode request,
            JsonNode reasons,
            JsonNode rules,
            JsonNode history,
            String status,
            @JsonProperty("requested_at") OffsetDateTime requestedAt,
            @JsonProperty("expires_at") OffsetDateTime expiresAt,
            @JsonProperty("decided_by") String decidedBy,
            @JsonProperty("decided_at") OffsetDateTime decidedAt,
            String comment,
            @JsonProperty("required_approvals") int requiredApprovals,
            List<ApprovalView> approvals) {}

    /** One approver's decision; a review of a two-person connection shows two before it is approved. */
    public record ApprovalView(
            String approver,
            String decision,
            String comment,
            @JsonProperty("decided_at") OffsetDateTime decidedAt) {}
}
