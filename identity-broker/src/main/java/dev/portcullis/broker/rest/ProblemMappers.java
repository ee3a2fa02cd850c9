package dev.portcullis.broker.rest;

import dev.portcullis.broker.keycloak.KeycloakException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves the API as RFC 7807 problem JSON. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    static Response problem(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return problem(Problem.of(e.status(), e.title(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<Problem.Violation> violations = e.getConstraintViolations().stream()
                .map(v -> new Problem.Violation(leaf(v.getPropertyPath().toString()), v.getMessage()))
                .sorted(java.util.Comparator.comparing(Problem.Violation::field))
                .toList();
        return problem(new Problem("about:blank", "Bad Request", 400, "the request is not valid", violations));
    }

    private static String leaf(String path) {
        // "create.request.name" -> "name"; keeps nested paths after the parameter
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : path;
    }

    @ServerExceptionMapper
    public Response keycloak(KeycloakException e) {
        if (e.status() == 409) {
            return problem(Problem.of(409, "Conflict", e.getMessage()));
        }
        LOG.errorf("Keycloak call failed: %s", e.getMessage());
        return problem(Problem.of(502, "Bad Gateway", e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return problem(Problem.of(401, "Unauthorized", "a valid bearer token from the portcullis realm is required"));
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return problem(Problem.of(401, "Unauthorized", "a valid bearer token from the portcullis realm is required"));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(Problem.of(403, "Forbidden", "your token does not carry a role this operation needs"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase()
                : "Error";
        return problem(Problem.of(status, title, e.getMessage()));
    }
}
