package dev.portcullis.restedge;

import dev.portcullis.contracts.problem.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Problem details for what fails before Quarkus REST sees the request: a missing or invalid bearer token and a
 * missing role on an HTTP permission (proactive authentication answers those from the HTTP layer), statuses the
 * HTTP layer sets itself, and a body whose declared length is over {@code quarkus.http.limits.max-body-size},
 * which Quarkus would answer with an empty 413.
 */
@ApplicationScoped
public class ProblemRoutes {

    private static final Logger LOG = Logger.getLogger(ProblemRoutes.class);

    private final AuthProblems auth;

    ProblemRoutes(AuthProblems auth) {
        this.auth = auth;
    }

    void register(@Observes Router router) {
        // first among the failure handlers, before Quarkus's own (which would answer with an empty body)
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
        // just before Quarkus's own check of a declared length, which answers 413 with an empty body
        long limit = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue)
                .orElse(10L * 1024 * 1024);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(rc -> tooLarge(rc, limit));
    }

    void tooLarge(RoutingContext rc, long limit) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared <= limit) {
            rc.next();
            return;
        }
        // the body is not read: close the connection once the answer is out, as Quarkus's check does
        rc.response().putHeader(HttpHeaders.CONNECTION, "close");
        rc.response().endHandler(v -> rc.request().connection().close());
        Problems.end(
                rc.response(),
                Problems.of(
                        413,
                        "the request body is larger than " + limit + " bytes",
                        rc.request().path()));
    }

    void failed(RoutingContext rc) {
        if (rc.response().headWritten() || rc.response().closed()) {
            rc.next();
            return;
        }
        Throwable f = rc.failure();
        String path = rc.request().path();
        Problem p;
        if (f instanceof AuthenticationFailedException || f instanceof UnauthorizedException) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
            p = Problems.of(401, auth.unauthorized(), path);
        } else if (f instanceof ForbiddenException) {
            p = Problems.of(403, auth.forbidden(), path);
        } else if (f instanceof HttpException h && h.getStatusCode() < 500) {
            p = Problems.of(h.getStatusCode(), Problems.title(h.getStatusCode()), path);
        } else if (f == null && rc.statusCode() >= 400 && rc.statusCode() < 500) {
            p = Problems.of(rc.statusCode(), Problems.title(rc.statusCode()), path);
        } else {
            LOG.errorf(f, "request %s %s failed", rc.request().method(), path);
            p = Problems.of(500, "the request could not be completed", path);
        }
        Problems.end(rc.response(), p);
    }
}
