package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code data} of {@code grant.created}, {@code grant.revoked} and {@code grant.expired} (identity-events,
 * identity-broker → session-proxy). On revoked and expired, the proxy ends the agent's live sessions to the
 * connection. The Kafka key is the grant id; the event's subject is the agent's name.
 *
 * @param access read, write or admin
 * @param scope the OAuth scope the grant adds to the agent's tokens ({@code conn:<connection>:<access>})
 * @param kind standing or jit (just in time)
 * @param status active, revoked or expired
 * @param by who created or ended it ({@code system} for an expiry)
 * @param expiresAt RFC 3339, written as null for a grant without an end
 * @param endedAt RFC 3339, left out while the grant is active
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record GrantChanged(
        @JsonProperty("grant_id") String grantId,
        @JsonProperty("agent") String agent,
        @JsonProperty("connection") String connection,
        @JsonProperty("access") String access,
        @JsonProperty("scope") String scope,
        @JsonProperty("kind") String kind,
        @JsonProperty("status") String status,
        @JsonProperty("by") String by,
        @JsonProperty("starts_at") String startsAt,
        @JsonProperty("expires_at") String expiresAt,

        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("ended_at")
        String endedAt) {

    /** One line per problem; empty when a proxy knows whose sessions, to which connection, it concerns. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "grant_id", grantId);
        Validation.required(p, "agent", agent);
        Validation.required(p, "connection", connection);
        Validation.timestamp(p, "starts_at", startsAt, false);
        Validation.timestamp(p, "expires_at", expiresAt, false);
        Validation.timestamp(p, "ended_at", endedAt, false);
        return p;
    }
}
