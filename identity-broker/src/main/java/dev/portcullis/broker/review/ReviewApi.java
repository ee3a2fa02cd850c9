package dev.portcullis.broker.review;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;

/** Shapes of reviews: the incoming {@code review.requested} data and the API views. */
public final class ReviewApi {

    private ReviewApi() {}

    /**
     * {@code data} of {@code review.requested} (session-proxy's shape; unknown fields ignored).
     * {@code review_id} falls back to the event id.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    // native: ReviewRequestListener reads it with ObjectMapper.treeToValue (Kafka), not through REST
    @RegisterForReflection
    public record ReviewRequested(
            @JsonProperty("review_id") String reviewId,
            @JsonProperty("session_id") String sessionId,
            String agent,
            String connection,
            JsonNode request,
            JsonNode reasons,
            @JsonProperty("expires_at") OffsetDateTime expiresAt) {}

    public record Decision(@Size(max = 2000) String comment) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReviewView(
            String id,
            @JsonProperty("session_id") String sessionId,
            String agent,
            String connection,
            JsonNode request,
            JsonNode reasons,
            String status,
            @JsonProperty("requested_at") OffsetDateTime requestedAt,
            @JsonProperty("expires_at") OffsetDateTime expiresAt,
            @JsonProperty("decided_by") String decidedBy,
            @JsonProperty("decided_at") OffsetDateTime decidedAt,
            String comment) {}
}
