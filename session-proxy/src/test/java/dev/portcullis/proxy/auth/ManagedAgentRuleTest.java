package dev.portcullis.proxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which verified tokens speak for a managed agent, and which agent (docs/architecture.md "Tokens"). */
class ManagedAgentRuleTest {

    private static final ManagedAgentRule RULE = new ManagedAgentRule("agent", List.of("identity-broker"));
    private static final Map<String, Object> AGENT_ROLES =
            Map.of("roles", List.of("default-roles-portcullis", "offline_access", "agent"));
    private static final Map<String, Object> NO_AGENT_ROLE =
            Map.of("roles", List.of("default-roles-portcullis", "offline_access"));

    @Test
    void brokerMintedTokenNamesTheAgentNotTheBroker() throws Exception {
        // standard token exchange by identity-broker: azp is the broker, the subject is the agent's service account
        assertEquals("ci-runner", RULE.agent("service-account-ci-runner", "identity-broker", AGENT_ROLES));
    }

    @Test
    void anAgentsOwnClientCredentialsTokenNamesItsClient() throws Exception {
        assertEquals("demo-agent", RULE.agent("service-account-demo-agent", "demo-agent", AGENT_ROLES));
    }

    @Test
    void aServiceClientsOwnTokenIsNoAgent() {
        for (String client : List.of("identity-broker", "session-proxy", "policy-service", "recorder-service")) {
            var e = assertThrows(
                    TokenValidator.InvalidTokenException.class,
                    () -> RULE.agent("service-account-" + client, client, NO_AGENT_ROLE));
            assertTrue(e.getMessage().contains("no realm role agent"), e.getMessage());
        }
    }

    @Test
    void theBrokersServiceAccountIsNoAgentEvenWithTheRole() {
        var e = assertThrows(
                TokenValidator.InvalidTokenException.class,
                () -> RULE.agent("service-account-identity-broker", "identity-broker", AGENT_ROLES));
        assertTrue(e.getMessage().contains("service account of identity-broker"), e.getMessage());
    }

    @Test
    void aHumanWithTheRoleIsNoAgent() {
        var e = assertThrows(
                TokenValidator.InvalidTokenException.class,
                () -> RULE.agent("alice-admin", "portcullis-cli", AGENT_ROLES));
        assertTrue(e.getMessage().contains("not a service account"), e.getMessage());
    }

    @Test
    void anotherClientCannotCarryAnAgentsIdentity() {
        // e.g. a token exchange by some client other than the broker
        var e = assertThrows(
                TokenValidator.InvalidTokenException.class,
                () -> RULE.agent("service-account-ci-runner", "session-proxy", AGENT_ROLES));
        assertTrue(e.getMessage().contains("issued to client session-proxy"), e.getMessage());
        assertThrows(
                TokenValidator.InvalidTokenException.class,
                () -> RULE.agent("service-account-ci-runner", null, AGENT_ROLES));
    }

    @Test
    void missingOrMalformedClaimsAreNoAgent() {
        for (Object realmAccess : new Object[] {null, "agent", Map.of("roles", "agent"), Map.of(), List.of("agent")}) {
            assertThrows(
                    TokenValidator.InvalidTokenException.class,
                    () -> RULE.agent("service-account-demo-agent", "demo-agent", realmAccess));
        }
        for (String user : new String[] {null, "service-account-", "service-account-X", "service-account--a"}) {
            assertThrows(TokenValidator.InvalidTokenException.class, () -> RULE.agent(user, "demo-agent", AGENT_ROLES));
        }
    }
}
