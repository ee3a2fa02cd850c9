package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.enforcement.AgentSession;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.PolicyInput;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.server.session.ServerSession;
import org.jboss.logging.Logger;

/** One authenticated agent SSH connection: who, to which target, and its ordered session events. */
final class SshAgentSession extends AgentSession {

    private static final Logger LOG = Logger.getLogger(SshAgentSession.class);

    private final SshGateway gw;
    private final ServerSession server;
    private final long startedNanos = System.nanoTime();

    SshAgentSession(SshGateway gw, ServerSession server, AgentIdentity identity, Connection connection) {
        super(
                gw.registry(),
                gw.events(),
                gw.tracer(),
                gw.vertx(),
                "ssh",
                String.valueOf(server.getClientAddress()),
                identity,
                connection,
                gw.config().review().historySize());
        this.gw = gw;
        this.server = server;
    }

    void started() {
        start("ssh", clientAddress(), new JsonObject().put("client_version", server.getClientVersion()));
    }

    void ended(String reason) {
        end(reason);
    }

    String clientAddress() {
        return String.valueOf(server.getClientAddress());
    }

    /** Seconds since the session started: the asciicast v2 time of an output event. */
    double elapsed() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Records an event, inside the session from whichever thread (relays run on MINA's). */
    long emit(String type, JsonObject data) {
        try (var e = context.enter()) {
            return recorder.emit(type, data);
        }
    }

    /** Asks policy about one request (blocking, on the request's own thread) and records the decision; fails closed. */
    Decision decide(JsonObject policyRequest, long requestSeq) throws InterruptedException {
        JsonObject input = PolicyInput.of(identity, connection, id(), clientAddress(), startedAt, policyRequest);
        Decision d;
        try {
            d = gw.policy()
                    .decide(input)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(gw.config().policy().timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException ex) {
            d = Decision.failClosed("policy service unavailable");
        }
        recordDecision(d, requestSeq, false);
        return d;
    }

    @Override
    public void terminate(String reason) {
        if (hasEnded()) {
            return;
        }
        try (var e = context.enter()) {
            LOG.infof("terminating the session: %s", reason);
        }
        // recorded first, as the HTTP gateway does: the disconnect fires the close listener, whose
        // "client disconnected" would otherwise race this reason to session.ended and could win
        ended(reason);
        try {
            server.disconnect(SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "Portcullis: " + reason);
        } catch (IOException e) {
            server.close(true);
        }
    }
}
