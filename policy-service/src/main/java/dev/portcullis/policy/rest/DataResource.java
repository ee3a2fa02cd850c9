package dev.portcullis.policy.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.security.Roles;
import dev.portcullis.policy.service.DecisionService;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * OPA's Data API ({@link DecisionAnswers} says what each path answers). {@code POST /v1/data/portcullis/decision},
 * what session-proxy asks for every request, is served by {@link DecisionRoute} before it gets here; every other
 * path and method is served here.
 */
@Path("/v1/data")
@RolesAllowed(Roles.DECISION_CLIENT)
@Produces(MediaType.APPLICATION_JSON)
public class DataResource {

    @Inject
    DecisionService decisions;

    @Inject
    RequestBodies bodies;

    @Inject
    JsonWebToken caller;

    @POST
    @Path("{path: .*}")
    @Consumes(MediaType.WILDCARD)
    @NonBlocking
    public Map<String, Object> post(@PathParam("path") String path, byte[] body, @Context HttpServerRequest request) {
        long start = System.nanoTime();
        return answer(path, bodies.input(body), request, start);
    }

    @GET
    @Path("{path: .*}")
    @NonBlocking
    public Map<String, Object> get(
            @PathParam("path") String path, @QueryParam("input") String input, @Context HttpServerRequest request) {
        long start = System.nanoTime();
        return answer(path, input == null ? null : bodies.json(input), request, start);
    }

    private Map<String, Object> answer(String path, JsonNode input, HttpServerRequest request, long start) {
        return DecisionAnswers.answer(decisions, path, input, request.params(), callerName(), start);
    }

    private String callerName() {
        Object azp = caller.getClaim("azp");
        return azp == null ? String.valueOf(caller.getSubject()) : azp.toString();
    }
}
