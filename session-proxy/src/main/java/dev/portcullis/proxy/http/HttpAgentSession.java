package dev.portcullis.proxy.http;

import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.config.ConnectionCatalog.Connection;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.events.EventTypes;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * An HTTP session: the requests of one agent to one connection over one client connection (a
 * kubectl invocation, a curl run, a keep-alive client). It ends when the client connection closes,
 * when {@code maxSessionDuration} passes, or by the kill switch, which closes the client connection
 * and with it every in-flight request and watch.
 */
final class HttpAgentSession implements LiveSession {

    private static final Logger LOG = Logger.getLogger(HttpAgentSession.class);

    private final String id = UUID.randomUUID().toString();
    private final HttpGateway gw;
    private final ClientConnection client;
    private final Context context;
    final AgentIdentity identity;
    final Connection connection;
    final Instant startedAt = Instant.now();
    final SessionRecorder recorder;
    private final AtomicBoolean ended = new AtomicBoolean();
    private long durationTimer = -1;

    HttpAgentSession(HttpGateway gw, ClientConnection client, Context context, AgentIdentity identity,
            Connection connection) {
        this.gw = gw;
        this.client = client;
        this.context = context;
        this.identity = identity;
        this.connection = connection;
        this.recorder = new SessionRecorder(gw.events(), id, identity.agent(), connection.name());
    }

    void started(String userAgent) {
        gw.registry().register(this);
        recorder.emit(EventTypes.SESSION_STARTED, new JsonObject().put("client_address", client.address())
                .put("protocol", connection.type()).put("subject", identity.subject())
                .put("scopes", new JsonArray(identity.scopes())).put("access", identity.access())
                .put("user_agent", userAgent));
        if (connection.maxSessionDuration() != null && !connection.maxSessionDuration().isZero()) {
            durationTimer = gw.vertx().setTimer(connection.maxSessionDuration().toMillis(),
                    t -> terminate("the session reached maxSessionDuration " + connection.maxSessionDuration()));
        }
    }

    void ended(String reason) {
        if (ended.compareAndSet(false, true)) {
            if (durationTimer >= 0) {
                gw.vertx().cancelTimer(durationTimer);
            }
            gw.registry().unregister(this);
            recorder.emit(EventTypes.SESSION_ENDED, new JsonObject().put("reason", reason)
                    .put("requests", recorder.requests()));
        }
    }

    String clientAddress() {
        return client.address();
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
        LOG.infof("terminating HTTP session %s: %s", id, reason);
        ended(reason);
        context.runOnContext(v -> client.close());
    }
}
