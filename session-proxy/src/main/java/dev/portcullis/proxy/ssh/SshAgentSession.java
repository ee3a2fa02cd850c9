package dev.portcullis.proxy.ssh;

import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.config.ConnectionCatalog.Connection;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.events.EventTypes;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.server.session.ServerSession;
import org.jboss.logging.Logger;

/** One authenticated agent SSH connection: who, to which target, and its ordered session events. */
final class SshAgentSession implements LiveSession {

    private static final Logger LOG = Logger.getLogger(SshAgentSession.class);

    private final String id = UUID.randomUUID().toString();
    private final SshGateway gw;
    private final ServerSession server;
    final AgentIdentity identity;
    final Connection connection;
    final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    final SessionRecorder recorder;

    SshAgentSession(SshGateway gw, ServerSession server, AgentIdentity identity, Connection connection) {
        this.gw = gw;
        this.server = server;
        this.identity = identity;
        this.connection = connection;
        this.recorder = new SessionRecorder(gw.events(), id, identity.agent(), connection.name());
    }

    void started() {
        gw.registry().register(this);
        emit(EventTypes.SESSION_STARTED, new JsonObject().put("client_address", clientAddress()).put("protocol", "ssh")
                .put("subject", identity.subject()).put("scopes", new JsonArray(identity.scopes()))
                .put("access", identity.access()).put("client_version", server.getClientVersion()));
    }

    void ended(String reason) {
        if (ended.compareAndSet(false, true)) {
            gw.registry().unregister(this);
            emit(EventTypes.SESSION_ENDED, new JsonObject().put("reason", reason).put("requests", recorder.requests()));
        }
    }

    String clientAddress() {
        return String.valueOf(server.getClientAddress());
    }

    /** Seconds since the session started: the asciicast v2 time of an output event. */
    double elapsed() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    long emit(String type, JsonObject data) {
        return recorder.emit(type, data);
    }

    /** Asks policy about one request (blocking, on the request's own thread) and records the decision; fails closed. */
    Decision decide(JsonObject policyRequest, long requestSeq) throws InterruptedException {
        JsonObject input = PolicyInput.of(identity, connection, id, clientAddress(), startedAt, policyRequest);
        Decision d;
        try {
            d = gw.policy().decide(input).toCompletionStage().toCompletableFuture()
                    .get(gw.config().policy().timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException ex) {
            d = Decision.failClosed("policy service unavailable");
        }
        recorder.decision(d, requestSeq, false);
        return d;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String agent() {
        return identity.agent();
    }

    @Override
    public String connection() {
        return connection.name();
    }

    @Override
    public void terminate(String reason) {
        if (ended.get()) {
            return;
        }
        LOG.infof("terminating SSH session %s: %s", id, reason);
        try {
            server.disconnect(SshConstants.SSH2_DISCONNECT_BY_APPLICATION, "Portcullis: " + reason);
        } catch (IOException e) {
            server.close(true);
        }
        ended(reason);
    }
}
