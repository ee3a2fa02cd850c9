package dev.portcullis.console.security;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdToken;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The signed-in human of this request: name and realm roles from the verified tokens of the OIDC session, the access
 * token the console forwards to the APIs. Its {@code toString} never shows a token.
 */
@RequestScoped
public class ConsoleUser {

    /** The realm roles that may use the console (docs/architecture.md "Roles"). */
    public static final Set<String> CONSOLE_ROLES = Set.of("approver", "auditor", "portcullis-admin");
    /** Every agent's service account has it; an agent gets nothing from the console. */
    public static final String AGENT_ROLE = "agent";

    @Inject
    SecurityIdentity identity;

    @Inject
    @IdToken
    JsonWebToken idToken;

    @Inject
    AccessTokenCredential accessToken;

    public boolean signedIn() {
        return !identity.isAnonymous();
    }

    /** A human with a console role, and not an agent (an agent is refused whatever else it holds). */
    public boolean mayUseConsole() {
        return signedIn()
                && !identity.hasRole(AGENT_ROLE)
                && CONSOLE_ROLES.stream().anyMatch(identity::hasRole);
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    public String name() {
        String n = idToken.getClaim("preferred_username");
        return n != null ? n : identity.getPrincipal().getName();
    }

    /** Keycloak's session id ({@code sid}), else the time of the sign-in: what a CSRF token is bound to. */
    public String sessionId() {
        Object sid = idToken.getClaim("sid");
        return sid != null ? sid.toString() : "auth_time:" + idToken.getClaim("auth_time");
    }

    public String subject() {
        return idToken.getSubject();
    }

    /** The user's access token, for the APIs (aud: identity-broker, recorder-service). Never logged. */
    public String accessToken() {
        return accessToken.getToken();
    }

    @Override
    public String toString() {
        return "ConsoleUser[" + (signedIn() ? name() : "anonymous") + "]";
    }
}
