package dev.portcullis.console.rest;

import dev.portcullis.console.api.DecisionForm;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.security.ConsoleUser;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Access requests page's decisions, forwarded to identity-broker with the signed-in user's token: the broker
 * decides whether the user may (role {@code approver}, the connection's approver groups, two approvers on {@code
 * env=prod}).
 */
@Path("/api/access-requests")
public class AccessRequestResource {

    /** identity-broker's access request ids are UUIDs: anything else names no request. */
    private static final Pattern ID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final BrokerClient broker;
    private final ConsoleUser user;

    AccessRequestResource(BrokerClient broker, ConsoleUser user) {
        this.broker = broker;
        this.user = user;
    }

    @POST
    @Path("{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> approve(@PathParam("id") String id, DecisionForm form) {
        return decide(id, true, form);
    }

    @POST
    @Path("{id}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> deny(@PathParam("id") String id, DecisionForm form) {
        return decide(id, false, form);
    }

    private Uni<Response> decide(String id, boolean approve, DecisionForm form) {
        if (!ID.matcher(id).matches()) {
            return Uni.createFrom().item(Response.status(404).build());
        }
        return broker.decideAccessRequest(user.accessToken(), id, approve, form == null ? null : form.comment())
                .map(AccessRequestResource::answer);
    }

    /** A decision's outcome for the page: the new status, or the broker's reason for refusing (shown as text). */
    static Response answer(BrokerClient.Reply reply) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", reply.body().path("status").asText(""));
        if (!reply.ok()) {
            body.put("detail", reply.body().path("detail").asText("identity-broker refused"));
        }
        return Response.status(reply.ok() ? 200 : reply.status()).entity(body).build();
    }
}
