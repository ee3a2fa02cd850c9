package dev.portcullis.console.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * recorder-service's auditor API (recorder-service/README.md "Auditor API"), called with the signed-in user's access
 * token; the recorder checks the {@code auditor} role.
 */
@RegisterRestClient(configKey = "recorder-service")
interface RecorderApi {

    @GET
    @Path("/v1/sessions")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> sessions(
            @QueryParam("agent") String agent,
            @QueryParam("connection") String connection,
            @QueryParam("protocol") String protocol,
            @QueryParam("status") String status,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("denied") String denied,
            @QueryParam("reviewed") String reviewed,
            @QueryParam("page") int page,
            @QueryParam("size") int size,
            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/decisions")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> decisions(
            @QueryParam("agent") String agent,
            @QueryParam("connection") String connection,
            @QueryParam("session") String session,
            @QueryParam("action") String action,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("page") int page,
            @QueryParam("size") int size,
            @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/sessions/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> session(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/sessions/{id}/recording")
    Uni<Response> recording(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);
}
