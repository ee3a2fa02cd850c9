package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.GrantApi.GrantView;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.AgentService;
import dev.portcullis.broker.service.GrantService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.UUID;

/** Revoking a grant ends it at once: the scope leaves the agent's client and {@code grant.revoked} goes out. */
@Path("/v1/grants")
public class GrantRevocationResource {

    private final GrantService grants;
    private final AgentService agents;
    private final Caller caller;

    public GrantRevocationResource(GrantService grants, AgentService agents, Caller caller) {
        this.grants = grants;
        this.agents = agents;
        this.caller = caller;
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Caller.ADMIN)
    public Uni<GrantView> revoke(@PathParam("id") UUID id) {
        return grants.revoke(id, caller.name())
                .flatMap(g -> agents.byId(g.agentId).map(a -> GrantView.of(g, a == null ? null : a.name)));
    }
}
