package dev.portcullis.policy.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The backstop body limit ({@code quarkus.http.limits.max-body-size}) in OPA's error shape: Quarkus refuses a
 * body whose declared length is over it before any resource runs, with an empty 413. The resources enforce the
 * smaller {@code portcullis.policy.limits.max-body-bytes} themselves.
 */
@ApplicationScoped
public class OpaRoutes {

    void register(@Observes Router router) {
        long limit = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue)
                .orElse(10L * 1024 * 1024);
        // just before Quarkus's own check of a declared length
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
        rc.response().endHandler(v -> rc.request().connection().close());
        rc.response()
                .setStatusCode(413)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject()
                        .put("code", OpaError.INVALID_PARAMETER)
                        .put("message", "request body is " + declared + " bytes, the limit is " + limit)
                        .encode());
    }
}
