package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.enforcement.SessionContext;
import dev.portcullis.proxy.pg.PgReplyQueue.Expect;
import dev.portcullis.proxy.pg.PgReplyQueue.Kind;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.codec.PgReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One client connection of the PostgreSQL gateway, from StartupMessage to Terminate. Everything
 * runs on the connection's event loop: client frames are processed one at a time (a statement
 * waiting for policy or review pauses the ones behind it), backend frames are relayed as they come
 * with only DataRows of masked results rewritten. The expectation queue pairs each backend reply
 * with the client message that caused it, which is what lets pipelined extended-protocol traffic,
 * denials and masking stay in step.
 */
final class PgSession implements LiveSession {

    private static final Logger LOG = Logger.getLogger(PgSession.class);
    private static final int MAX_INBOX = 4096;
    /** True while one read's frames are being queued; {@link #onClientData} pumps them together. */
    private boolean feeding;

    enum Phase {
        STARTUP,
        AUTHENTICATING,
        CONNECTING,
        BACKEND_AUTH,
        BACKEND_STARTUP,
        READY,
        CLOSED
    }

    final PgGateway gw;
    final NetSocket client;
    final Context context;
    final String id = UUID.randomUUID().toString();
    final Instant startedAt = Instant.now();
    /** Logs and traces on behalf of this session: every handler below runs inside it. */
    final SessionContext session;

    final PgFrameDecoder clientDecoder;
    private final ArrayDeque<Buffer> inbox = new ArrayDeque<>();
    final List<Buffer> toClient = new ArrayList<>();
    final List<Buffer> toBackend = new ArrayList<>();
    final StatementBook book = new StatementBook();
    final PgStatementAnalysis analysis;
    /** The target database: connect, backend startup, the proxy's own queries, cancel. */
    final PgBackendLink link = new PgBackendLink(this);
    /** The handshake: startup packet, token, login checks. */
    private final PgFrontend frontend = new PgFrontend(this);
    /** Policy, review, the proxy's refusals and the deny. */
    final StatementGuard guard = new StatementGuard(this);
    /** The client's Query, Parse, Bind, Describe, Execute and Close. */
    private final PgClientMessages statements = new PgClientMessages(this);
    /** What the proxy waits for from the backend, and the backend's messages in READY. */
    final PgReplyQueue replies = new PgReplyQueue(this);
    /** The session's events, from login on (SessionRecorder: seq, request count, nothing after session.ended). */
    final PgRecording recording;

    Phase phase = Phase.STARTUP;
    NetSocket backend;
    Connection connection;
    AgentIdentity identity;
    /** The parts of this session's policy inputs that never change, from the first statement on. */
    private PolicyInput.Session policyInput;

    Map<String, String> startupParameters = Map.of();
    boolean busy;
    boolean skipUntilSync;
    boolean tlsActive;
    private boolean clientPaused;
    /** Back-pressure: the backend is not read while the client's socket is full, and the other way round. */
    private boolean backendReadPaused;

    private boolean clientReadPaused;
    /** The session holds a slot of portcullis.pg.max-connections (from its token's acceptance on). */
    boolean counted;
    /** The session holds a slot of portcullis.pg.max-unauthenticated (until its token is accepted). */
    boolean preAuthCounted;

    byte txStatus = TX_IDLE;
    private long startupTimer = -1;
    private long idleTimer = -1;
    private long sessionTimer = -1;
    private long lastClientActivity = System.nanoTime();
    String pendingReview;
    private String endReason = "client disconnected";
    /** The backend's standard_conforming_strings (ParameterStatus): how the lexer reads '' strings. */
    boolean scs = true;

    boolean pumpAfterBackend;
    /** The catalog snapshot and result masking; from the backend connection on. */
    PgResultMasking masking;
    /** The agent's session was counted against portcullis.pg.max-sessions-per-agent. */
    boolean agentCounted;

    PgSession(PgGateway gateway, NetSocket client) {
        this.gw = gateway;
        this.client = client;
        this.context = gateway.vertx().getOrCreateContext();
        this.analysis = new PgStatementAnalysis(gateway.sql());
        this.recording = new PgRecording(gateway.masker());
        this.session = SessionContext.open(
                gateway.tracer(), gateway.vertx(), "postgres", id, String.valueOf(client.remoteAddress()));
        this.clientDecoder = new PgFrameDecoder(
                PgFrameDecoder.State.STARTUP,
                gateway.config().pg().maxStartupPacket(),
                gateway.config().pg().maxMessageSize(),
                new ClientFrames());
    }

    // ---- LiveSession -----------------------------------------------------------------------------

    @Override
    public String id() {
        return id;
    }

    @Override
    public String agent() {
        return identity == null ? "" : identity.agent();
    }

    @Override
    public String connection() {
        return connection == null ? "" : connection.name();
    }

    @Override
    public void terminate(String reason) {
        context.runOnContext(session.wrap(v -> fatal(SQLSTATE_ADMIN_SHUTDOWN, "terminating connection: " + reason)));
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    void start() {
        try (SessionContext.Entered e = session.enter()) {
            open();
        }
    }

    private void open() {
        if (!frontend.admit()) {
            return;
        }
        client.handler(session.wrap(this::onClientData));
        client.closeHandler(session.wrap(v -> onClosed()));
        client.exceptionHandler(session.wrap(e -> LOG.debugf("client error: %s", e.getMessage())));
        startupTimer = gw.vertx().setTimer(gw.config().pg().startupTimeout().toMillis(), session.wrap(t -> {
            startupTimer = -1;
            if (phase != Phase.READY && phase != Phase.CLOSED) {
                fatal(
                        SQLSTATE_PROTOCOL_VIOLATION,
                        "startup did not complete within "
                                + gw.config().pg().startupTimeout().toSeconds() + " s (portcullis.pg.startup-timeout)");
            }
        }));
    }

    private void onClientData(Buffer data) {
        lastClientActivity = System.nanoTime();
        // every frame of this read is queued first and then decided in one pump, so what they send
        // to the backend goes out as one write (pgbench's Bind/Describe/Execute/Sync were four)
        feeding = true;
        try {
            clientDecoder.feed(data);
        } finally {
            feeding = false;
        }
        if (phase == Phase.READY) {
            pump(); // flushes
        } else {
            flush();
        }
    }

    void onClosed() {
        if (phase == Phase.CLOSED) {
            return;
        }
        Phase was = phase;
        phase = Phase.CLOSED;
        for (long t : new long[] {startupTimer, idleTimer, sessionTimer}) {
            if (t >= 0) {
                gw.vertx().cancelTimer(t);
            }
        }
        if (pendingReview != null) {
            gw.holds().abandon(pendingReview);
        }
        if (backend != null) {
            backend.close();
        }
        if (link.ownPid != 0) {
            gw.cancelKeys().remove(PgGateway.cancelKey(link.ownPid, link.ownSecret));
        }
        gw.registry().unregister(this);
        frontend.releaseSlots();
        if (agentCounted) {
            gw.registry().agentSessionClosed("postgres", identity.agent());
        }
        if (was == Phase.READY) {
            recording.emit(
                    EventTypes.SESSION_ENDED,
                    new JsonObject()
                            .put("reason", endReason)
                            .put("requests", recording.recorder().requests()));
        }
        client.close();
        session.end(endReason);
    }

    /** Sends a FATAL error to the client and closes the session. */
    void fatal(String sqlstate, String message) {
        if (phase == Phase.CLOSED) {
            return;
        }
        endReason = message;
        toClient.add(PgMessages.errorResponse("FATAL", sqlstate, message));
        flush();
        if (backend != null && phase == Phase.READY) {
            backend.write(PgMessages.terminate());
        }
        client.end();
        onClosed();
    }

    // ---- output batching: one write per direction per burst, messages composed without copying --------

    void flush() {
        write(client, toClient);
        if (backend != null) {
            write(backend, toBackend);
            backPressure();
        }
    }

    /**
     * Back-pressure both ways, so a peer that stops reading costs the proxy no memory: while the
     * client's socket cannot take more, the backend is not read (PostgreSQL then waits in
     * ClientWrite); while the backend's cannot, the client is not read.
     */
    private void backPressure() {
        if (!backendReadPaused && client.writeQueueFull()) {
            backendReadPaused = true;
            backend.pause();
            client.drainHandler(session.wrap(v -> {
                backendReadPaused = false;
                if (backend != null && phase != Phase.CLOSED) {
                    backend.resume();
                }
            }));
        }
        if (!clientReadPaused && backend.writeQueueFull()) {
            clientReadPaused = true;
            client.pause();
            backend.drainHandler(session.wrap(v -> {
                clientReadPaused = false;
                if (phase != Phase.CLOSED && !clientPaused) {
                    client.resume();
                }
            }));
        }
    }

    // Several frames go out as one gathering write, not copied.
    // Vert.x 4 deprecates its ByteBuf bridge with no public replacement (Vert.x 5 moves it to BufferInternal).
    @SuppressWarnings("deprecation")
    private static void write(NetSocket socket, List<Buffer> out) {
        int n = out.size();
        if (n == 0) {
            return;
        }
        if (n == 1) {
            socket.write(out.get(0));
        } else {
            CompositeByteBuf composite = Unpooled.compositeBuffer(n);
            for (Buffer b : out) {
                composite.addComponent(true, b.getByteBuf());
            }
            socket.write(Buffer.buffer((ByteBuf) composite));
        }
        out.clear();
    }

    // ---- client frames -----------------------------------------------------------------------------

    private final class ClientFrames implements PgFrameDecoder.Handler {
        @Override
        public void onStartupPacket(Buffer packet) {
            try {
                frontend.onStartup(packet);
            } catch (PgProtocolException e) {
                fatal(SQLSTATE_PROTOCOL_VIOLATION, "invalid startup packet: " + e.getMessage());
            }
        }

        @Override
        public void onMessage(byte type, Buffer frame) {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (phase == Phase.AUTHENTICATING && !busy) {
                frontend.onPassword(type, frame);
                return;
            }
            if (phase != Phase.READY
                    && !(phase.ordinal() >= Phase.CONNECTING.ordinal() && phase.ordinal() < Phase.READY.ordinal())) {
                fatal(SQLSTATE_PROTOCOL_VIOLATION, "unexpected message during startup");
                return;
            }
            inbox.add(frame);
            if (inbox.size() > MAX_INBOX && !clientPaused) {
                clientPaused = true;
                client.pause();
            }
            if (phase == Phase.READY && !feeding) {
                pump();
            }
        }

        @Override
        public void onFramingError(PgProtocolException error) {
            LOG.debugf("client framing error: %s", error.getMessage());
            fatal(SQLSTATE_PROTOCOL_VIOLATION, error.getMessage());
        }
    }

    AccessLevel access() {
        return AccessLevel.fromId(identity.access()).orElse(AccessLevel.READ);
    }

    ProxyConfig.SessionLimitDefaults sessionLimits() {
        return gw.config().pg().sessionLimits();
    }

    void becomeReady() {
        phase = Phase.READY;
        if (startupTimer >= 0) {
            gw.vertx().cancelTimer(startupTimer);
            startupTimer = -1;
        }
        gw.registry().register(this);
        JsonObject started = new JsonObject()
                .put("client_address", String.valueOf(client.remoteAddress()))
                .put("protocol", "postgres")
                .put("subject", identity.subject())
                .put("scopes", new JsonArray(identity.scopes()))
                .put("access", identity.access())
                .put("database", connection.database())
                .put("application_name", startupParameters.get("application_name"))
                .put("tls", tlsActive);
        recording.emit(EventTypes.SESSION_STARTED, started);
        long idleMillis = gw.config().pg().idleTimeout().toMillis();
        if (idleMillis > 0) {
            idleTimer = gw.vertx().setPeriodic(Math.max(50, Math.min(idleMillis / 4, 10_000)), session.wrap(t -> {
                boolean waiting = busy || !replies.expects.isEmpty();
                if (!waiting && System.nanoTime() - lastClientActivity > idleMillis * 1_000_000L) {
                    fatal(
                            SQLSTATE_IDLE_TIMEOUT,
                            "terminating connection due to idle timeout ("
                                    + gw.config().pg().idleTimeout().toSeconds() + " s, portcullis.pg.idle-timeout)");
                }
            }));
        }
        java.time.Duration max = connection.maxSessionDuration();
        if (max != null && !max.isZero()) {
            sessionTimer = gw.vertx()
                    .setTimer(
                            max.toMillis(),
                            session.wrap(t -> fatal(
                                    SQLSTATE_ADMIN_SHUTDOWN,
                                    "terminating connection: maximum session duration of connection \""
                                            + connection.name() + "\" reached (" + max + ")")));
        }
        pump();
    }

    // ---- client messages in READY: decided one at a time ----------------------------------------

    void pump() {
        while (!busy && phase == Phase.READY && !inbox.isEmpty()) {
            Buffer frame = inbox.peek();
            byte type = frame.getByte(0);
            if (replies.copySync != null
                    && type != COPY_DATA
                    && type != COPY_DONE
                    && type != COPY_FAIL
                    && type != TERMINATE) {
                break; // nothing but the copy data may reach the backend until the COPY's Sync is sent
            }
            if ((type == QUERY || type == PARSE || type == BIND)
                    && !skipUntilSync
                    && replies.expects.isEmpty()
                    && txStatus == TX_IDLE
                    && masking.needsLoad()) {
                // the backend is idle outside a transaction: the one moment a load cannot disturb the client's work
                link.loadCatalog(this::pump);
                break;
            }
            inbox.poll();
            try {
                onClientMessage(type, frame);
            } catch (PgProtocolException e) {
                fatal(SQLSTATE_PROTOCOL_VIOLATION, e.getMessage());
                return;
            }
        }
        if (clientPaused && inbox.size() < MAX_INBOX / 2 && phase != Phase.CLOSED && !clientReadPaused) {
            clientPaused = false;
            client.resume();
        }
        flush();
    }

    private void onClientMessage(byte type, Buffer frame) {
        if (skipUntilSync && type != SYNC && type != TERMINATE) {
            return; // after an error PostgreSQL discards everything up to Sync; so does the proxy
        }
        switch (type) {
            case QUERY -> statements.onQuery(frame);
            case PARSE -> statements.onParse(frame);
            case BIND -> statements.onBind(frame);
            case DESCRIBE -> statements.onDescribe(frame);
            case EXECUTE -> statements.onExecute(frame);
            case CLOSE -> statements.onClose(frame);
            case SYNC -> {
                skipUntilSync = false;
                replies.forward(frame, replies.sync());
            }
            case COPY_DONE, COPY_FAIL -> {
                toBackend.add(frame);
                if (replies.copySync != null && replies.copyIn) {
                    replies.releaseCopySync();
                }
            }
            case FLUSH, COPY_DATA -> toBackend.add(frame);
            case TERMINATE -> {
                endReason = "client terminated the session";
                toBackend.add(frame);
                flush();
                onClosed();
            }
            case FUNCTION_CALL -> {
                Expect e = new Expect(Kind.SYNTHETIC);
                e.synthetic = PgMessages.errorResponse(
                        "ERROR",
                        SQLSTATE_INSUFFICIENT_PRIVILEGE,
                        "the function call protocol is not allowed through Portcullis");
                e.ready = true;
                replies.enqueueSynthetic(e);
            }
            default -> throw new PgProtocolException("invalid frontend message type '" + (char) type + "'");
        }
    }

    /**
     * The backend's settings the proxy depends on: standard_conforming_strings decides how the lexer
     * reads '' strings; any client_encoding but UTF8 could give bytes a meaning the proxy did not
     * read (SJIS, BIG5, GBK and GB18030 have trailing bytes equal to a backslash), so the session ends.
     */
    void onParameterStatus(Buffer frame) {
        PgReader r = PgReader.body(frame);
        String name = r.readCString();
        String value = r.readCString();
        if ("standard_conforming_strings".equals(name)) {
            scs = "on".equalsIgnoreCase(value);
        } else if ("client_encoding".equals(name) && !"UTF8".equalsIgnoreCase(value)) {
            LOG.warnf("the target reports client_encoding %s: ending the session", value);
            fatal(
                    SQLSTATE_PROTOCOL_VIOLATION,
                    "Portcullis requires client_encoding UTF8; the session used " + value + " and was ended");
        }
    }

    @Override
    public String toString() {
        return "PgSession[" + id + ", agent=" + agent() + ", connection=" + connection() + "]";
    }

    /** What this session's policy inputs share (identity, connection, session), built once: call after login. */
    PolicyInput.Session policyInput() {
        if (policyInput == null) {
            policyInput =
                    PolicyInput.Session.of(identity, connection, id, String.valueOf(client.remoteAddress()), startedAt);
        }
        return policyInput;
    }
}
