package dev.portcullis.policy.rest;

import dev.portcullis.policy.decisionlog.DecisionLogUnavailableException;
import dev.portcullis.policy.engine.InvalidInputException;
import dev.portcullis.policy.engine.PolicyCompileException;
import dev.portcullis.policy.service.PolicyNotFoundException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.hibernate.exception.ConstraintViolationException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal in OPA's error shape; nothing escapes as an HTML page or an empty 500. */
public class OpaErrorMappers {

    private static final Logger LOG = Logger.getLogger(OpaErrorMappers.class);

    static Response error(int status, String code, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new OpaError(code, message))
                .build();
    }

    @ServerExceptionMapper
    public Response opa(OpaException e) {
        return error(e.status(), e.code(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response unlogged(DecisionLogUnavailableException e) {
        return error(503, OpaError.INTERNAL_ERROR, e.getMessage());
    }

    @ServerExceptionMapper
    public Response invalidInput(InvalidInputException e) {
        return error(400, OpaError.INVALID_PARAMETER, e.getMessage());
    }

    @ServerExceptionMapper
    public Response compile(PolicyCompileException e) {
        List<OpaError.Detail> details = e.problems().stream()
                .map(p -> new OpaError.Detail(
                        "cel_compile_error",
                        p.message(),
                        new OpaError.Location(
                                e.policyId(),
                                p.rule(),
                                p.line() > 0 ? p.line() : null,
                                p.line() > 0 ? p.column() : null)))
                .toList();
        return Response.status(400)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new OpaError(OpaError.INVALID_PARAMETER, e.getMessage(), details))
                .build();
    }

    @ServerExceptionMapper
    public Response notFound(PolicyNotFoundException e) {
        return error(404, OpaError.RESOURCE_NOT_FOUND, "storage_policy_not_found_err: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response conflict(ConstraintViolationException e) {
        return error(409, "conflict", "a concurrent change to the same policy won; retry");
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        return Response.status(401)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header("WWW-Authenticate", "Bearer")
                .entity(new OpaError(
                        OpaError.UNAUTHORIZED, "a valid bearer token from the portcullis realm is required"))
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return error(403, OpaError.UNAUTHORIZED, "the caller lacks the role this endpoint requires");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = status == 404
                ? OpaError.RESOURCE_NOT_FOUND
                : status >= 500 ? OpaError.INTERNAL_ERROR : OpaError.INVALID_PARAMETER;
        String message = status == 404 ? "no such endpoint" : e.getMessage();
        return error(status, code, message);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure", e);
        return error(500, OpaError.INTERNAL_ERROR, "internal error");
    }
}
