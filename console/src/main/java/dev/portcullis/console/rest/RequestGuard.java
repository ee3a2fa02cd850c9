package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every page and endpoint: only a signed-in human with a console role (never an agent) gets an answer, and a request
 * that changes state must carry the session's CSRF token. The APIs the console calls enforce the roles again.
 */
public class RequestGuard {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final ConsoleUser user;
    private final CsrfTokens csrf;

    RequestGuard(ConsoleUser user, CsrfTokens csrf) {
        this.user = user;
        this.csrf = csrf;
    }

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (!user.signedIn()) {
            // the HTTP permission (authenticated) has redirected or refused already: fail closed all the same
            return plain(Response.Status.UNAUTHORIZED, "Sign in first.");
        }
        if (!user.mayUseConsole()) {
            return plain(Response.Status.FORBIDDEN, "This console is for approvers, auditors and admins.");
        }
        if (!SAFE_METHODS.contains(request.getMethod())
                && !csrf.matches(user.sessionId(), user.subject(), request.getHeaderString(CsrfTokens.HEADER))) {
            return plain(Response.Status.FORBIDDEN, "Missing or wrong CSRF token: reload the page.");
        }
        return null;
    }

    private static Response plain(Response.Status status, String message) {
        return Response.status(status)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                .entity(message + "\n")
                .build();
    }
}
