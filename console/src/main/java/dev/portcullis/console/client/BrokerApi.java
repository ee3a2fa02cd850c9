package dev.portcullis.console.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * identity-broker's review, access-request, agent and grant API (identity-broker/README.md "API"), called with the
 * signed-in user's access token. The broker checks the roles; every answer, errors included, comes back as a
 * {@link Response} for {@link BrokerClient}.
 */
@RegisterRestClient(configKey = "identity-broker")
interface BrokerApi {

    @GET
    @Path("/v1/reviews")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> reviews(@QueryParam("status") String status, @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/reviews/{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> approve(
            @PathParam("id") String id, @HeaderParam("Authorization") String authorization, DecisionBody body);

    @POST
    @Path("/v1/reviews/{id}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> deny(
            @PathParam("id") String id, @HeaderParam("Authorization") String authorization, DecisionBody body);

    @GET
    @Path("/v1/access-requests")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> accessRequests(
            @QueryParam("status") String status,
            @QueryParam("limit") int limit,
            @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/access-requests/{id}/approve")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> approveAccess(
            @PathParam("id") String id, @HeaderParam("Authorization") String authorization, DecisionBody body);

    @POST
    @Path("/v1/access-requests/{id}/deny")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> denyAccess(
            @PathParam("id") String id, @HeaderParam("Authorization") String authorization, DecisionBody body);

    @GET
    @Path("/v1/agents")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> agents(@HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/agents/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> agent(@PathParam("name") String name, @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/agents")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> createAgent(@HeaderParam("Authorization") String authorization, NewAgent body);

    @POST
    @Path("/v1/agents/{name}/secret")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> rotateSecret(@PathParam("name") String name, @HeaderParam("Authorization") String authorization);

    @PATCH
    @Path("/v1/agents/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> updateAgent(
            @PathParam("name") String name, @HeaderParam("Authorization") String authorization, AgentUpdate body);

    @GET
    @Path("/v1/agents/{name}/grants")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> grants(@PathParam("name") String name, @HeaderParam("Authorization") String authorization);

    /** {@code GET /v1/audit}: the broker's audit trail (admin, auditor), newest first. */
    @GET
    @Path("/v1/audit")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> audit(
            @QueryParam("targetType") String targetType,
            @QueryParam("targetId") String targetId,
            @QueryParam("limit") int limit,
            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/agents/{name}/connection-hints")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> connectionHints(@PathParam("name") String name, @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/agents/{name}/grants")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> createGrant(
            @PathParam("name") String name, @HeaderParam("Authorization") String authorization, NewGrant body);

    @DELETE
    @Path("/v1/grants/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> revokeGrant(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    /** {@code POST /v1/agents}: an agent that signs in with a client secret (the broker's default). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NewAgent(String name, String team, String owner, String description) {}

    /**
     * {@code POST /v1/agents/{name}/grants}: a standing grant; {@code duration} (ISO-8601) or {@code expiresAt}
     * (ISO-8601 with offset), or neither for no end. Sent as the strings the broker parses, never as numbers.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record NewGrant(String connection, String access, String duration, String expiresAt) {}

    /** {@code PATCH /v1/agents/{name}}: only {@code enabled} is sent. */
    record AgentUpdate(boolean enabled) {}

    /** The broker's decision body: an optional comment. */
    record DecisionBody(String comment) {}
}
