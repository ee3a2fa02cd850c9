package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.OffsetDateTime;
import java.util.Map;

/** Shapes of {@code POST /v1/tokens}. */
public final class TokenApi {

    private TokenApi() {}

    /** {@code ttl} in seconds; absent means the default lifetime. */
    public record MintRequest(
            @NotBlank @ConnectionName String connection,
            @NotBlank @ConnectionName String access,
            @Positive Long ttl) {}

    /**
     * OAuth-style token response plus connection hints. The token itself is never logged.
     * Registered for reflection: {@code POST /v1/tokens} returns it inside a {@code Response}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record MintResponse(
            @JsonProperty("access_token") String accessToken,
            @JsonProperty("token_type") String tokenType,
            @JsonProperty("expires_in") long expiresIn,
            String scope,
            @JsonProperty("expires_at") OffsetDateTime expiresAt,
            @JsonProperty("grant_id") String grantId,
            @JsonProperty("grant_expires_at") OffsetDateTime grantExpiresAt,
            @JsonProperty("ttl_requested") Long ttlRequested,
            String notice,
            Map<String, Object> connection) {

        @Override
        public String toString() {
            return "MintResponse[scope=" + scope + ", expiresIn=" + expiresIn + "]";
        }
    }
}
