package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code data} of {@code agent.disabled} (identity-events, identity-broker → session-proxy): the kill switch for
 * every live session of the agent. The Kafka key and the event's subject are the agent's name.
 *
 * @param agentId the broker's id of the agent
 * @param clientId the agent's Keycloak client id (its name)
 * @param reason disabled or deleted
 * @param by who did it
 * @param disabledAt RFC 3339
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AgentDisabled(
        @JsonProperty("agent") String agent,
        @JsonProperty("agent_id") String agentId,
        @JsonProperty("client_id") String clientId,
        @JsonProperty("reason") String reason,
        @JsonProperty("by") String by,
        @JsonProperty("disabled_at") String disabledAt) {

    /** One line per problem; empty when a proxy knows whose sessions to end. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "agent", agent);
        Validation.timestamp(p, "disabled_at", disabledAt, false);
        return p;
    }
}
