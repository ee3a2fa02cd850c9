package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.AgentApi.AgentView;
import dev.portcullis.broker.api.AgentApi.CreateAgent;
import dev.portcullis.broker.api.AgentApi.UpdateAgent;
import dev.portcullis.broker.api.AgentName;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.AgentService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** Agents (non-human identities). Admins manage them; an agent may read only itself. */
@Path("/v1/agents")
public class AgentResource {

    private final AgentService service;
    private final Caller caller;

    public AgentResource(AgentService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Caller.ADMIN)
    public Uni<Response> create(@NotNull @Valid CreateAgent request) {
        return service.create(request, caller.name(), caller.username())
                .map(created -> Response.created(
                                URI.create("/v1/agents/" + created.agent().name()))
                        .header("Cache-Control", "no-store")
                        .entity(created)
                        .build());
    }

    @GET
    @RolesAllowed({Caller.ADMIN, Caller.APPROVER})
    public Uni<List<AgentView>> list(@QueryParam("team") @Size(max = 100) String team) {
        return service.list(team);
    }

    @GET
    @Path("{name}")
    @RolesAllowed({Caller.ADMIN, Caller.APPROVER, Caller.AGENT})
    public Uni<AgentView> get(@PathParam("name") @AgentName String name) {
        if (!caller.hasRole(Caller.ADMIN) && !caller.hasRole(Caller.APPROVER) && !name.equals(caller.agentName())) {
            return Uni.createFrom().failure(ProblemException.forbidden("an agent can only read itself"));
        }
        return service.require(name).map(AgentView::of);
    }

    @PATCH
    @Path("{name}")
    @RolesAllowed(Caller.ADMIN)
    public Uni<AgentView> update(@PathParam("name") @AgentName String name, @NotNull @Valid UpdateAgent request) {
        return service.update(name, request, caller.name());
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Caller.ADMIN)
    public Uni<Response> delete(@PathParam("name") @AgentName String name) {
        return service.delete(name, caller.name())
                .replaceWith(Response.noContent().build());
    }

    /** Issues a new client secret; the old one stops working at once. */
    @POST
    @Path("{name}/secret")
    @RolesAllowed(Caller.ADMIN)
    public Uni<Response> rotateSecret(@PathParam("name") @AgentName String name) {
        return service.rotateSecret(name, caller.name())
                .map(r -> Response.ok(r).header("Cache-Control", "no-store").build());
    }
}
