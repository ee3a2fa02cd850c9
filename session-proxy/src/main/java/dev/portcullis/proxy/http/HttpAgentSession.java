package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.enforcement.AgentSession;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

/**
 * An HTTP session: the requests of one agent to one connection over one client connection (a
 * kubectl invocation, a curl run, a keep-alive client). It ends when the client connection closes,
 * when {@code maxSessionDuration} passes, or by the kill switch, which closes the client connection
 * and with it every in-flight request and watch.
 */
final class HttpAgentSession extends AgentSession {

    private static final Logger LOG = Logger.getLogger(HttpAgentSession.class);

    private final HttpGateway gw;
    private final ClientConnection client;
    private final Context eventLoop;
    private long durationTimer = -1;

    HttpAgentSession(
            HttpGateway gw, ClientConnection client, Context context, AgentIdentity identity, Connection connection) {
        super(
                gw.registry(),
                gw.events(),
                gw.tracer(),
                gw.vertx(),
                connection.type().id(),
                client.address(),
                identity,
                connection,
                gw.config().review().historySize());
        this.gw = gw;
        this.client = client;
        this.eventLoop = context;
    }

    void started(String userAgent) {
        start(connection.type().id(), client.address(), new JsonObject().put("user_agent", userAgent));
        if (connection.maxSessionDuration() != null
                && !connection.maxSessionDuration().isZero()) {
            durationTimer = gw.vertx()
                    .setTimer(
                            connection.maxSessionDuration().toMillis(),
                            context.wrap(t -> terminate(
                                    "the session reached maxSessionDuration " + connection.maxSessionDuration())));
        }
    }

    void ended(String reason) {
        if (end(reason) && durationTimer >= 0) {
            gw.vertx().cancelTimer(durationTimer);
        }
    }

    String clientAddress() {
        return client.address();
    }

    @Override
    public void terminate(String reason) {
        try (var e = context.enter()) {
            LOG.infof("terminating the session: %s", reason);
        }
        ended(reason);
        eventLoop.runOnContext(v -> client.close());
    }
}
