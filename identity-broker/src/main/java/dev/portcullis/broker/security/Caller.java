package dev.portcullis.broker.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling, read only from the verified Keycloak token (never from request fields).
 * An agent is a token from a client credentials grant: role {@code agent}, {@code azp} = its client.
 */
@RequestScoped
public class Caller {

    public static final String ADMIN = "portcullis-admin";
    public static final String APPROVER = "approver";
    public static final String AGENT = "agent";

    private final SecurityIdentity identity;
    private final JsonWebToken token;

    public Caller(SecurityIdentity identity, JsonWebToken token) {
        this.identity = identity;
        this.token = token;
    }

    /** Name used in audit rows and approvals: the human's username, or {@code agent:<name>}. */
    public String name() {
        String agent = agentName();
        return agent != null ? "agent:" + agent : username();
    }

    public String username() {
        String u = token.getClaim("preferred_username");
        return u != null ? u : token.getSubject();
    }

    /** The agent this token belongs to, or null for a human (or any non-agent) token. */
    public String agentName() {
        if (!identity.hasRole(AGENT)) {
            return null;
        }
        String azp = token.getClaim("azp");
        String username = token.getClaim("preferred_username");
        // a service-account token: preferred_username is service-account-<clientId>
        if (azp != null && username != null && username.equals("service-account-" + azp)) {
            return azp;
        }
        return null;
    }

    /**
     * The Keycloak groups the verified token names ({@code groups} claim, group names without their path): what a
     * connection's {@code approvers} are matched against. Empty when the token has none.
     */
    public Set<String> groups() {
        Set<String> groups = token.getGroups();
        return groups == null ? Set.of() : groups;
    }

    public boolean isAgent() {
        return agentName() != null;
    }

    public boolean hasRole(String role) {
        return identity.hasRole(role);
    }

    /** The raw bearer token (used as the subject of a token exchange; never logged). */
    public String rawToken() {
        return token.getRawToken();
    }
}
