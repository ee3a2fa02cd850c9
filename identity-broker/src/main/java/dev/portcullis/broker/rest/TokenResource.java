package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.api.TokenApi.MintRequest;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.TokenService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** Session tokens for agents, authenticated by the agent's own Keycloak token. */
@Path("/v1/tokens")
public class TokenResource {

    private final TokenService service;
    private final Caller caller;

    public TokenResource(TokenService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Caller.AGENT)
    public Uni<Response> mint(@NotNull @Valid MintRequest request) {
        String agent = caller.agentName();
        if (agent == null) {
            throw ProblemException.forbidden("only an agent's own service-account token can mint session tokens");
        }
        return service.mint(agent, caller.rawToken(), request)
                .map(r -> Response.ok(r)
                        .header("Cache-Control", "no-store")
                        .header("Pragma", "no-cache")
                        .build());
    }
}
