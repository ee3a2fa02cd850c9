package dev.portcullis.console.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * identity-broker's review API (identity-broker/README.md "API"), called with the signed-in user's access token. The
 * broker checks the roles; every answer, errors included, comes back as a {@link Response} for {@link BrokerClient}.
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

    /** The broker's decision body: an optional comment. */
    record DecisionBody(String comment) {}
}
