package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.portcullis.broker.entity.Agent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.OffsetDateTime;
import java.util.UUID;

/** Request and response shapes of {@code /v1/agents}. */
public final class AgentApi {

    private AgentApi() {}

    /** How the agent will authenticate to Keycloak. */
    public record Auth(
            @NotNull
            @Pattern(regexp = "client_secret|private_key_jwt", message = "must be client_secret or private_key_jwt")
            String method,

            @Size(max = 2000) @Pattern(regexp = "https?://.+", message = "must be an http(s) URL") @PlainText
            String jwksUrl,

            @Size(max = 20000) @PlainText(multiline = true) String jwks,
            @Size(max = 20000) @PlainText(multiline = true) String publicKeyPem) {}

    public record CreateAgent(
            @NotBlank @AgentName String name,
            @NotBlank @Size(max = 100) @PlainText String team,
            @Size(max = 255) @PlainText String owner,
            @Size(max = 1000) @PlainText(multiline = true) String description,
            @Valid Auth auth) {}

    public record UpdateAgent(
            @Size(min = 1, max = 100) @PlainText String team,
            @Size(min = 1, max = 255) @PlainText String owner,
            @Size(max = 1000) @PlainText(multiline = true) String description,
            Boolean enabled) {}

    // native: GET /v1/agents registers it through its signature; registered here too because
    // AgentWithSecret embeds it and is only ever returned inside a Response
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record AgentView(
            UUID id,
            String name,
            String clientId,
            String team,
            String owner,
            String description,
            String authMethod,
            boolean enabled,
            String createdBy,
            OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {

        public static AgentView of(Agent a) {
            return new AgentView(
                    a.id,
                    a.name,
                    a.name,
                    a.team,
                    a.owner,
                    a.description,
                    "CLIENT_SECRET".equals(a.authMethod) ? "client_secret" : "private_key_jwt",
                    a.enabled,
                    a.createdBy,
                    a.createdAt,
                    a.updatedAt);
        }
    }

    /** The response of create and rotate: the secret is shown this once and never stored by the broker. */
    // native: create and rotate-secret return it inside a Response, which Quarkus cannot see into
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    public record AgentWithSecret(AgentView agent, String clientSecret, String tokenEndpoint) {
        @Override
        public String toString() {
            return "AgentWithSecret[" + agent + "]";
        }
    }
}
