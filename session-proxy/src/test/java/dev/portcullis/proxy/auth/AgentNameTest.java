package dev.portcullis.proxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which agent a token speaks for, whether Keycloak issued it directly or identity-broker minted it. */
class AgentNameTest {

    @Test
    void brokerMintedTokenNamesTheAgentNotTheBroker() {
        // standard token exchange by identity-broker: azp is the broker, the subject is the agent's service account
        assertEquals(
                "ci-runner", TokenValidator.agentName("service-account-ci-runner", "identity-broker", null, "uuid"));
    }

    @Test
    void clientCredentialsTokenNamesItsClient() {
        assertEquals(
                "demo-agent",
                TokenValidator.agentName("service-account-demo-agent", "demo-agent", "demo-agent", "uuid"));
    }

    @Test
    void withoutAServiceAccountNameFallsBackToAzpThenClientIdThenSubject() {
        assertEquals("cli", TokenValidator.agentName("alice-admin", "cli", null, "uuid"));
        assertEquals("x", TokenValidator.agentName(null, null, "x", "uuid"));
        assertEquals("uuid", TokenValidator.agentName("service-account-", null, null, "uuid"));
    }
}
