package dev.portcullis.proxy.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.FakePolicyServer;
import dev.portcullis.proxy.SshListener;
import dev.portcullis.proxy.UnrecordablePublisher;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.events.EventPublisher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Write-ahead over SSH (docs/architecture.md "Delivery"), with the real OpenSSH client and sshd: a request policy
 * allows but whose {@code session.request} cannot be recorded (given up by {@link UnrecordablePublisher}, as the
 * publisher gives up an event Kafka and the spool cannot take) never reaches the target, and the agent is told why.
 * A refused port forward's channel-open failure carries the proxy's reason ({@link ReasonedConnectionService}).
 */
@QuarkusTest
@QuarkusTestResource(value = SshTestResource.class, restrictToAnnotatedClass = true)
class SshWriteAheadTest {

    private static final String CONN = SshTestResource.CONNECTION;

    @Inject
    SshListener listener;

    @Inject
    EventPublisher events;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
    }

    /** Gives up the {@code session.request} of requests of this kind. */
    private UnrecordablePublisher unrecordable(String kind) {
        return UnrecordablePublisher.install(
                events,
                (CloudEvent<?> e) -> EventTypes.SESSION_REQUEST.equals(e.type())
                        && e.data() instanceof JsonObject data
                        && kind.equals(data.getString("kind")));
    }

    @Test
    void aPortForwardWhoseRequestCannotBeRecordedIsRefusedAndNothingIsForwarded() throws Exception {
        UnrecordablePublisher publisher = unrecordable("port_forward");
        try (ServerSocket destination = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            destination.setSoTimeout(500);
            FakePolicyServer.allowedForwardPort = destination.getLocalPort(); // policy allows this one
            SshClients.Result r;
            try {
                r = SshClients.await(
                        SshClients.start(
                                port,
                                CONN,
                                token,
                                // -v: OpenSSH logs a channel-open failure at INFO, below the helper's LogLevel=ERROR
                                List.of("-v", "-W", "127.0.0.1:" + destination.getLocalPort()),
                                null,
                                "must-not-arrive\n"),
                        30);
            } finally {
                FakePolicyServer.allowedForwardPort = -1;
            }
            assertNotEquals(0, r.exit());
            // OpenSSH prints the channel-open failure: its reason code and the proxy's message
            assertTrue(
                    r.stderr().contains("open failed: resource shortage: Portcullis: " + WriteAhead.REFUSAL),
                    r.stderr());
            assertTrue(r.stderr().contains("stdio forwarding failed"), r.stderr());
            assertThrows(SocketTimeoutException.class, destination::accept, "the tunnel opened unrecorded");
            JsonObject input = SshTestResource.policy().inputs.stream()
                    .filter(i ->
                            "port_forward".equals(i.getJsonObject("request").getString("kind")))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            assertEquals(
                    destination.getLocalPort(),
                    input.getJsonObject("request").getInteger("port"),
                    "policy was asked (and allowed): the refusal is write-ahead's");
        }
        assertEquals(1, publisher.givenUp.get());
        assertEquals(1, publisher.refusedRequests.get());
    }

    @Test
    void aPortForwardPolicyDeniesSaysWhyInItsChannelOpenFailure() throws Exception {
        try (ServerSocket destination = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            destination.setSoTimeout(500);
            SshClients.Result r = SshClients.await(
                    SshClients.start(
                            port,
                            CONN,
                            token,
                            List.of("-v", "-W", "127.0.0.1:" + destination.getLocalPort()),
                            null,
                            "must-not-arrive\n"),
                    30);
            assertNotEquals(0, r.exit());
            assertTrue(
                    r.stderr().contains("open failed: administratively prohibited: Portcullis: ")
                            && r.stderr().contains("ssh-port-forwarding-forbidden"),
                    r.stderr());
            assertThrows(SocketTimeoutException.class, destination::accept, "nothing was forwarded");
        }
    }

    @Test
    void anExecWhoseRequestCannotBeRecordedDoesNotRun() throws Exception {
        UnrecordablePublisher publisher = unrecordable("exec");
        Path marker = SshTestResource.dir().resolve("unrecorded-marker-" + UUID.randomUUID());
        SshClients.Result r = SshClients.run(port, CONN, token, "touch " + marker);
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("Portcullis: " + WriteAhead.REFUSAL), r.stderr());
        assertFalse(Files.exists(marker), "the command ran unrecorded");
        assertEquals(1, publisher.refusedRequests.get());
    }
}
