package dev.portcullis.console.security;

import io.quarkus.oidc.JavaScriptRequestChecker;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The console's JSON and event-stream endpoints ({@code /api/...}) are called by its scripts, which cannot follow a
 * redirect to Keycloak's login page: OIDC answers them 499 instead of the redirect, which {@code HttpEdge} turns into
 * a 401. Pages still redirect to the login.
 */
@ApplicationScoped
public class ApiRequests implements JavaScriptRequestChecker {

    public static final String PREFIX = "/api/";

    @Override
    public boolean isJavaScriptRequest(RoutingContext context) {
        return context.normalizedPath().startsWith(PREFIX);
    }
}
