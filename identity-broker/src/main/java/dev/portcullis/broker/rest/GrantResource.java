package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.AgentName;
import dev.portcullis.broker.api.GrantApi.CreateGrant;
import dev.portcullis.broker.api.GrantApi.GrantView;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.entity.Grant;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.AgentService;
import dev.portcullis.broker.service.GrantService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;

/** Standing grants, managed by admins; an agent may list its own. */
@Path("/v1/agents/{name}/grants")
public class GrantResource {

    private final GrantService grants;
    private final AgentService agents;
    private final Caller caller;

    public GrantResource(GrantService grants, AgentService agents, Caller caller) {
        this.grants = grants;
        this.agents = agents;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Caller.ADMIN)
    public Uni<Response> create(@PathParam("name") @AgentName String name, @NotNull @Valid CreateGrant request) {
        if (request.duration() != null && request.expiresAt() != null) {
            throw ProblemException.unprocessable("give duration or expiresAt, not both");
        }
        if (request.duration() != null
                && (request.duration().isNegative() || request.duration().isZero())) {
            throw ProblemException.unprocessable("duration must be positive");
        }
        grants.requireConnection(request.connection(), request.access());
        OffsetDateTime expiresAt = request.expiresAt() != null
                ? request.expiresAt()
                : request.duration() != null ? GrantService.now().plus(request.duration()) : null;
        return agents.require(name)
                .flatMap(agent -> grants.create(
                                agent,
                                request.connection(),
                                request.access(),
                                Grant.Kind.STANDING,
                                null,
                                expiresAt,
                                caller.name())
                        .map(g -> Response.created(URI.create("/v1/grants/" + g.id))
                                .entity(GrantView.of(g, agent.name))
                                .build()));
    }

    @GET
    @RolesAllowed({Caller.ADMIN, Caller.APPROVER, Caller.AGENT})
    public Uni<List<GrantView>> list(
            @PathParam("name") @AgentName String name,
            @QueryParam("active") @DefaultValue("false") boolean activeOnly) {
        if (!caller.hasRole(Caller.ADMIN) && !caller.hasRole(Caller.APPROVER) && !name.equals(caller.agentName())) {
            throw ProblemException.forbidden("an agent can only read its own grants");
        }
        return agents.require(name)
                .flatMap(agent -> grants.forAgent(agent.id, activeOnly)
                        .map(l ->
                                l.stream().map(g -> GrantView.of(g, agent.name)).toList()));
    }
}
