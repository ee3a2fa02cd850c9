package dev.portcullis.proxy.ssh;

import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.assertMatchesFixture;
import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.connection;
import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.identity;

import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.enforcement.PolicyInput;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An exec request's policy input, built as ProxiedChannel and SshAgentSession build it, equals the golden input. */
class SshPolicyInputFixtureTest {

    @Test
    void execMatchesTheFixture() {
        var request = new ProxiedChannel.SshRequest("exec", "sudo systemctl restart app").json();
        var input = PolicyInput.of(
                identity("deploy-bot", "3e7d1a90-2c4b-4f6e-8a1d-6b5c4d3e2f10", "conn:ssh-prod:write", "write"),
                connection("ssh-prod", ConnectionType.SSH),
                "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
                // SshAgentSession.clientAddress(): MINA's address as text
                String.valueOf(new InetSocketAddress("10.0.3.21", 40022)),
                Instant.parse("2026-11-22T03:20:01.007Z"),
                request);
        assertMatchesFixture("input-ssh-exec", input);
    }
}
