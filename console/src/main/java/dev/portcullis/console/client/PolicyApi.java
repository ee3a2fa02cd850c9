package dev.portcullis.console.client;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * policy-service's policy API (policy-service/README.md, OPA's Policy API for YAML or JSON documents), called with the
 * signed-in user's access token; policy-service checks the {@code portcullis-admin} role.
 */
@RegisterRestClient(configKey = "policy-service")
interface PolicyApi {

    @GET
    @Path("/v1/policies")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> list(@HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/policies/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> get(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/v1/policies/{id}/history")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> history(@PathParam("id") String id, @HeaderParam("Authorization") String authorization);

    @PUT
    @Path("/v1/policies/{id}")
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> put(@PathParam("id") String id, @HeaderParam("Authorization") String authorization, String document);
}
