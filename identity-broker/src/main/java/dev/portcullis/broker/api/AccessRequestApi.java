package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.OptBoolean;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Shapes of {@code /v1/access-requests}. */
public final class AccessRequestApi {

    private AccessRequestApi() {}

    /** {@code agent} may be left out when an agent asks for itself; {@code duration} is ISO-8601 (PT30M). */
    public record Create(
            @AgentName String agent,
            @NotBlank @ConnectionName String connection,
            @NotBlank @ConnectionName String access,
            @NotNull @JsonFormat(lenient = OptBoolean.FALSE) Duration duration,

            @NotBlank @Size(max = 2000) @PlainText(multiline = true)
            String reason) {}

    public record Decision(@Size(max = 2000) String comment) {}

    public record ApprovalView(String approver, String decision, String comment, OffsetDateTime decidedAt) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(
            UUID id,
            String agent,
            String connection,
            String access,
            String scope,
            Duration duration,
            String reason,
            String requestedBy,
            String status,
            int requiredApprovals,
            List<ApprovalView> approvals,
            OffsetDateTime createdAt,
            OffsetDateTime expiresAt,
            OffsetDateTime decidedAt,
            UUID grantId) {}
}
