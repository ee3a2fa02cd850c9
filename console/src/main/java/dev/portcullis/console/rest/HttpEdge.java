package dev.portcullis.console.rest;

import dev.portcullis.console.security.ApiRequests;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * What every response of the console carries, pages, scripts, redirects and errors alike (console/README.md,
 * "Security of the page"), and the two answers given before any sign-in logic runs.
 */
@ApplicationScoped
public class HttpEdge {

    /**
     * Nothing but the console's own scripts, styles and images; no inline script or style, no frames, forms only to
     * the console itself. Recorded content is attacker-controlled: should markup slip into a page anyway, it cannot
     * run.
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Quarkus OIDC's logout path ({@code quarkus.oidc.logout.path}): a GET there signs the user out. */
    static final String LOGOUT_PATH = "/logout";

    /** Before the authentication handlers, so that their redirects and challenges carry the headers too. */
    private static final int PRIORITY = 10_000;

    void register(@Observes Filters filters) {
        filters.register(HttpEdge::handle, PRIORITY);
    }

    static void handle(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        response.headers()
                .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff")
                .set("Referrer-Policy", "no-referrer")
                .set("X-Frame-Options", "DENY")
                .set("Cross-Origin-Opener-Policy", "same-origin")
                .set(HttpHeaders.CACHE_CONTROL, "no-store");
        boolean api = rc.normalizedPath().startsWith(ApiRequests.PREFIX);
        response.headersEndHandler(v -> {
            // OIDC's answer to a script whose session is missing or over (ApiRequests): a plain 401
            if (api && response.getStatusCode() == 499) {
                response.setStatusCode(401).setStatusMessage("Unauthorized");
            }
        });
        if (crossSiteSignOut(rc.normalizedPath(), rc.request().getHeader("Sec-Fetch-Site"))) {
            // Signing out changes state, and Quarkus OIDC's logout path is a GET: another site's page must not be
            // able to sign a user out by linking or redirecting there (the browser says where the request came from)
            response.setStatusCode(403)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("Sign out from the console's own page.\n");
            return;
        }
        if (rc.request().headers().contains(HttpHeaders.AUTHORIZATION)) {
            // A bearer token (an agent's, or anyone's) is no sign-in here: the console's only credential is the
            // session of a human who signed in through Keycloak.
            response.setStatusCode(401)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end("The console takes no Authorization header: sign in with a browser.\n");
            return;
        }
        rc.next();
    }

    /**
     * A request to the logout path that the browser says another site started ({@code Sec-Fetch-Site} {@code
     * cross-site} or {@code same-site}: Fetch Metadata). The console's own link is {@code same-origin}, a typed URL or
     * a bookmark {@code none}; a client that sends no such header (not a browser, or one too old to) is no cross-site
     * forgery's vehicle and is let through.
     */
    static boolean crossSiteSignOut(String path, String secFetchSite) {
        return LOGOUT_PATH.equals(path)
                && secFetchSite != null
                && !"same-origin".equals(secFetchSite)
                && !"none".equals(secFetchSite);
    }
}
