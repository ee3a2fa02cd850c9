package dev.portcullis.console.rest;

import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.security.ConsoleUser;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;

/**
 * Revoking a grant from the agent page ({@code DELETE /v1/grants/{id}} at identity-broker, with the signed-in user's
 * token): the broker admits only {@code portcullis-admin} and ends the grant at once; its refusal (403, 404 unknown,
 * 409 no longer active) is passed on with its status and reason.
 */
@Path("/api/grants")
public class GrantResource {

    /**
     * A grant id as the broker issues it: a UUID in its canonical form (identity-broker/README.md "Errors": grant ids
     * are UUIDs). Anything else names no grant and is never put in a URL to the broker.
     */
    static final Pattern GRANT_ID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final BrokerClient broker;
    private final ConsoleUser user;

    GrantResource(BrokerClient broker, ConsoleUser user) {
        this.broker = broker;
        this.user = user;
    }

    @POST
    @Path("{id}/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> revoke(@PathParam("id") String id) {
        if (!GRANT_ID.matcher(id).matches()) {
            return Uni.createFrom().item(AgentResource.refusal(404, "no such grant"));
        }
        return broker.revokeGrant(user.accessToken(), id).map(AgentResource::grantAnswer);
    }
}
