package dev.portcullis.proxy.auth;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which tokens speak for an agent identity-broker manages (docs/architecture.md "Tokens", ADR 0024). A token
 * whose signature, issuer, audience and lifetime are valid is an agent's only when all of these hold:
 *
 * <ol>
 *   <li>{@code realm_access.roles} contains the agent role ({@code agent}): the broker gives it to the service
 *       account of every agent it creates, and no service client's account has it;
 *   <li>{@code preferred_username} is {@code service-account-<agent>} with {@code <agent>} an agent name: the
 *       subject is a client's service account, never a human user who was given the role by mistake;
 *   <li>{@code azp} is {@code <agent>} itself (its own client credentials grant) or an exchange client
 *       (identity-broker's token exchange), so no other client can carry an agent's identity to the proxy;
 *   <li>{@code <agent>} is not an exchange client: the broker's own service account is never an agent, even if
 *       someone gives it the role.
 * </ol>
 *
 * The broker's client holds every {@code conn:} scope (Keycloak evaluates an exchange's scopes against the
 * exchanging client), so it can get a {@code conn:} token for itself; rules 1 and 4 make that token worthless here.
 */
public final class ManagedAgentRule {

    private static final String SERVICE_ACCOUNT = "service-account-";

    private final String agentRole;
    private final Set<String> exchangeClients;

    public ManagedAgentRule(String agentRole, Collection<String> exchangeClients) {
        this.agentRole = agentRole;
        this.exchangeClients = Set.copyOf(exchangeClients);
    }

    /**
     * The agent the token speaks for.
     *
     * @param realmAccess the {@code realm_access} claim (an object with a {@code roles} array), or null
     * @throws TokenValidator.InvalidTokenException naming the rule the token breaks (for logs; never the token)
     */
    public String agent(String preferredUsername, String azp, Object realmAccess)
            throws TokenValidator.InvalidTokenException {
        if (!roles(realmAccess).contains(agentRole)) {
            throw new TokenValidator.InvalidTokenException("not an agent: no realm role " + agentRole);
        }
        if (preferredUsername == null || !preferredUsername.startsWith(SERVICE_ACCOUNT)) {
            throw new TokenValidator.InvalidTokenException("not an agent: the subject is not a service account");
        }
        String agent = preferredUsername.substring(SERVICE_ACCOUNT.length());
        if (!isAgentName(agent)) {
            throw new TokenValidator.InvalidTokenException("not an agent: not an agent name");
        }
        if (exchangeClients.contains(agent)) {
            throw new TokenValidator.InvalidTokenException("not an agent: the service account of " + agent);
        }
        if (azp == null || !(azp.equals(agent) || exchangeClients.contains(azp))) {
            throw new TokenValidator.InvalidTokenException(
                    "not an agent: issued to " + (azp == null ? "no client" : "client " + azp));
        }
        return agent;
    }

    /** identity-broker's rule for agent names (= the Keycloak client id): {@code [a-z0-9][a-z0-9-]{1,62}}. */
    static boolean isAgentName(String s) {
        if (s.length() < 2 || s.length() > 63 || s.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static List<?> roles(Object realmAccess) {
        if (realmAccess instanceof Map<?, ?> m && m.get("roles") instanceof List<?> roles) {
            return roles;
        }
        return List.of();
    }
}
