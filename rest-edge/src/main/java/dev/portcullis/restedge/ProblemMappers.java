package dev.portcullis.restedge;

import com.fasterxml.jackson.core.JacksonException;
import dev.portcullis.contracts.problem.Problem;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the API leaves as problem details (RFC 9457), including those Quarkus REST raises itself:
 * unknown route, wrong method, unsupported media type, a body that is not JSON. {@link ProblemRoutes} covers what
 * fails before Quarkus REST (authentication, body size). A service adds mappers of its own for its own exceptions
 * (a body Jackson could map but not bind, a backend's failure). The contract's {@link Problem} is registered for
 * reflection here because it is returned inside a {@code Response}, whose entity type Quarkus cannot see at build
 * time.
 */
@RegisterForReflection(targets = {Problem.class, Problem.FieldError.class})
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private final AuthProblems auth;

    ProblemMappers(AuthProblems auth) {
        this.auth = auth;
    }

    @ServerExceptionMapper
    public Response problem(HttpProblemException e, HttpServerRequest request) {
        return withHeaders(e, Problems.of(e.status(), e.getMessage(), request.path(), e.errors()));
    }

    /**
     * Bean Validation of parameters and bodies. A violated path parameter means the resource cannot exist: 404,
     * as for a well-formed id nobody has. Anything else is a 400 listing every offending field.
     */
    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, HttpServerRequest request) {
        List<Problem.FieldError> path = new ArrayList<>();
        List<Problem.FieldError> rest = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            ParamLocation where = ParamLocation.of(v);
            (where.kind() == ParamLocation.Kind.PATH ? path : rest)
                    .add(new Problem.FieldError(where.name(), v.getMessage()));
        }
        Comparator<Problem.FieldError> order =
                Comparator.comparing(Problem.FieldError::field).thenComparing(Problem.FieldError::message);
        if (!path.isEmpty()) {
            path.sort(order);
            return Problems.response(
                    Problems.of(404, "no such resource: the path names one that cannot exist", request.path(), path));
        }
        rest.sort(order);
        return Problems.response(Problems.of(400, "the request is not valid", request.path(), rest));
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e, HttpServerRequest request) {
        return Response.fromResponse(Problems.response(Problems.of(401, auth.unauthorized(), request.path())))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return Problems.response(Problems.of(403, auth.forbidden(), request.path()));
    }

    /**
     * What Quarkus REST raises itself: 404 (no such route, or a path parameter it could not convert), 405 (with
     * its {@code Allow} header), 406, 415, and a body that is not JSON at all.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        Problem p;
        if (e.getCause() instanceof JacksonException j && status == 400) {
            p = Problems.of(400, "the request body is not valid", request.path(), Problems.bodyErrors(j));
        } else if (e instanceof NotFoundException) {
            p = Problems.of(404, "no such resource", request.path());
        } else if (status >= 500) {
            LOG.errorf(e, "request failed with %d", status);
            p = Problems.of(status, "the request could not be completed", request.path());
        } else {
            p = Problems.of(status, e.getMessage(), request.path());
        }
        return withHeaders(e, p);
    }

    /** Whatever else went wrong is logged here and reported without details. */
    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        LOG.errorf(e, "unexpected failure on %s %s", request.method(), request.path());
        return Problems.response(Problems.of(500, "the request could not be completed", request.path()));
    }

    /** The problem, with the headers the exception carried ({@code Allow}, {@code Content-Range}). */
    private static Response withHeaders(WebApplicationException e, Problem p) {
        Response.ResponseBuilder r = Response.fromResponse(Problems.response(p));
        e.getResponse().getStringHeaders().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Type") && !name.equalsIgnoreCase("Content-Length")) {
                values.forEach(v -> r.header(name, v));
            }
        });
        return r.build();
    }
}
