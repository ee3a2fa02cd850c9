package dev.portcullis.broker.grant;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Request and response shapes of grants. */
public final class GrantApi {

    private GrantApi() {}

    /** A standing grant; {@code duration} (ISO-8601, e.g. PT8H) or {@code expiresAt}, or neither for no end. */
    public record CreateGrant(
            @NotBlank @Size(max = 63) String connection,
            @NotBlank @Size(max = 63) String access,
            Duration duration,
            OffsetDateTime expiresAt) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GrantView(
            UUID id,
            String agent,
            String connection,
            String access,
            String scope,
            String kind,
            String status,
            UUID requestId,
            OffsetDateTime startsAt,
            OffsetDateTime expiresAt,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime endedAt,
            String endedBy) {

        public static GrantView of(Grant g, String agent) {
            return new GrantView(
                    g.id,
                    agent,
                    g.connection,
                    g.access,
                    g.scope(),
                    g.kind.name().toLowerCase(),
                    g.status.name().toLowerCase(),
                    g.requestId,
                    g.startsAt,
                    g.expiresAt,
                    g.createdBy,
                    g.createdAt,
                    g.endedAt,
                    g.endedBy);
        }
    }
}
