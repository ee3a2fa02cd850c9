package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.SessionData;
import dev.portcullis.proxy.events.SessionRecorder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an SSH or HTTP session shares: who, to which connection, its recorder, its place in the
 * kill switch's registry, and the {@code session.started}/{@code session.ended} events.
 */
public abstract class AgentSession implements LiveSession {

    private final String id = UUID.randomUUID().toString();
    private final SessionRegistry registry;
    private final AtomicBoolean ended = new AtomicBoolean();
    public final AgentIdentity identity;
    public final Connection connection;
    public final Instant startedAt = Instant.now();
    public final SessionRecorder recorder;
    /** Logs and traces on behalf of this session; the protocol runs its work for the session inside it. */
    public final SessionContext context;

    /**
     * {@code tracer} may be null (no span), {@code vertx} too (see {@link SessionContext#open}); {@code reviewHistory}
     * is how many earlier requests a review of this session carries ({@code portcullis.review.history-size}).
     */
    protected AgentSession(
            SessionRegistry registry,
            EventPublisher events,
            Tracer tracer,
            Vertx vertx,
            String protocol,
            String clientAddress,
            AgentIdentity identity,
            Connection connection,
            int reviewHistory) {
        this.registry = registry;
        this.identity = identity;
        this.connection = connection;
        this.recorder = new SessionRecorder(events, id, identity.agent(), connection.name(), reviewHistory);
        this.context = SessionContext.open(
                tracer == null ? TracerProvider.noop().get("") : tracer, vertx, protocol, id, clientAddress);
        context.identify(identity.agent(), connection.name());
    }

    /** Registers with the kill switch and records {@code session.started} with the protocol's own details. */
    protected void start(String protocol, String clientAddress, JsonObject details) {
        registry.register(this);
        try (SessionContext.Entered e = context.enter()) {
            recorder.emit(
                    EventTypes.SESSION_STARTED,
                    new JsonObject()
                            .put("client_address", clientAddress)
                            .put("protocol", protocol)
                            .put("subject", identity.subject())
                            .put("scopes", new JsonArray(identity.scopes()))
                            .put("access", identity.access())
                            .mergeIn(details));
        }
    }

    /** Records {@code session.decision} for the request recorded at {@code requestSeq}; returns its seq. */
    public long recordDecision(Decision d, long requestSeq, boolean cached) {
        return recorder.emit(
                EventTypes.SESSION_DECISION,
                SessionData.decision(requestSeq, d.action().wire(), d.reasons(), d.rules(), d.decisionId(), cached));
    }

    /** Once: leaves the registry and records {@code session.ended}; false when the session had ended already. */
    public boolean end(String reason) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        registry.unregister(this);
        try (SessionContext.Entered e = context.enter()) {
            recorder.emit(
                    EventTypes.SESSION_ENDED,
                    new JsonObject().put("reason", reason).put("requests", recorder.requests()));
        }
        context.end(reason);
        return true;
    }

    public boolean hasEnded() {
        return ended.get();
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
}
