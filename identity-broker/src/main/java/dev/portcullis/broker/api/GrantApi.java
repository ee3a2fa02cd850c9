package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.OptBoolean;
import dev.portcullis.broker.entity.Grant;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Request and response shapes of grants. */
public final class GrantApi {

    private GrantApi() {}

    /** A standing grant; {@code duration} (ISO-8601, e.g. PT8H) or {@code expiresAt}, or neither for no end. */
    public record CreateGrant(
            @NotBlank @ConnectionName String connection,
            @NotBlank @ConnectionName String access,
            // strict: a blank or garbled duration is refused, never read as "no end"
            @JsonFormat(lenient = OptBoolean.FALSE) Duration duration,
            @JsonFormat(lenient = OptBoolean.FALSE) OffsetDateTime expiresAt) {}

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
