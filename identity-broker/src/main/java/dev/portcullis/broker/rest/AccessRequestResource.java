package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.AccessRequestApi.Create;
import dev.portcullis.broker.api.AccessRequestApi.View;
import dev.portcullis.broker.api.AgentName;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.entity.AccessRequest;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.AccessRequestService;
import dev.portcullis.broker.service.Approver;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/** Just-in-time access requests. */
@Path("/v1/access-requests")
public class AccessRequestResource {

    private final AccessRequestService service;
    private final Caller caller;

    public AccessRequestResource(AccessRequestService service, Caller caller) {
        this.service = service;
        this.caller = caller;
    }

    /** An agent for itself, or a human for an agent they own (admins for any). */
    @POST
    @jakarta.annotation.security.PermitAll
    public Uni<Response> create(@NotNull @Valid Create request) {
        var who =
                new AccessRequestService.Requester(caller.agentName(), caller.username(), caller.hasRole(Caller.ADMIN));
        return service.create(request, who)
                .map(v -> Response.created(URI.create("/v1/access-requests/" + v.id()))
                        .entity(v)
                        .build());
    }

    @GET
    @RolesAllowed({Caller.APPROVER, Caller.ADMIN, Caller.AGENT})
    public Uni<List<View>> list(
            @QueryParam("status") String status,
            @QueryParam("agent") @AgentName String agent,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        String only = agent;
        if (!caller.hasRole(Caller.APPROVER) && !caller.hasRole(Caller.ADMIN)) {
            // an agent sees its own requests only
            only = caller.agentName();
            if (only == null || (agent != null && !agent.equals(only))) {
                throw ProblemException.forbidden("an agent can only list its own requests");
            }
        }
        return service.list(
                StatusParam.parse(AccessRequest.Status.class, status), only, Math.max(1, Math.min(limit, 500)));
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Caller.APPROVER, Caller.ADMIN, Caller.AGENT})
    public Uni<View> get(@PathParam("id") UUID id) {
        return service.get(id).invoke(v -> {
            if (!caller.hasRole(Caller.APPROVER)
                    && !caller.hasRole(Caller.ADMIN)
                    && !v.agent().equals(caller.agentName())) {
                throw ProblemException.forbidden("an agent can only read its own requests");
            }
        });
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed(Caller.APPROVER)
    @Consumes(MediaType.WILDCARD)
    public Uni<View> approve(@PathParam("id") UUID id, String body) {
        return service.decide(id, true, approver(), DecisionBody.comment(body));
    }

    @POST
    @Path("{id}/deny")
    @RolesAllowed(Caller.APPROVER)
    @Consumes(MediaType.WILDCARD)
    public Uni<View> deny(@PathParam("id") UUID id, String body) {
        return service.decide(id, false, approver(), DecisionBody.comment(body));
    }

    private Approver approver() {
        return new Approver(caller.username(), caller.groups());
    }
}
