package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.contracts.connections.SessionLimits;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.connection.Targets;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.ReviewRequests;
import dev.portcullis.proxy.enforcement.SessionContext;
import dev.portcullis.proxy.events.SessionRecorder;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.codec.PgBackendAuthenticator;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgBackendMessages.RowDescription;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.codec.PgReader;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.masking.ResultMaskPlanner;
import dev.portcullis.proxy.pg.masking.ResultPlan;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import dev.portcullis.proxy.pg.sql.SqlLexer;
import dev.portcullis.proxy.pg.sql.SqlStatement;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_INBOX = 4096;
    private static final String SQLSTATE_UNDEFINED_PSTATEMENT = "26000";
    private static final String SQLSTATE_UNDEFINED_CURSOR = "34000";
    private static final String SQLSTATE_DUPLICATE_PSTATEMENT = "42P05";
    private static final String SQLSTATE_NAME_TOO_LONG = "42622";

    enum Phase {
        STARTUP,
        AUTHENTICATING,
        CONNECTING,
        BACKEND_AUTH,
        BACKEND_STARTUP,
        READY,
        CLOSED
    }

    enum Kind {
        QUERY,
        PARSE,
        BIND,
        DESCRIBE_STATEMENT,
        DESCRIBE_PORTAL,
        EXECUTE,
        CLOSE,
        SYNC,
        SYNTHETIC
    }

    /** One backend reply (or run of replies) the proxy is waiting for, in order. */
    static final class Expect {
        final Kind kind;
        String name;
        boolean swallow;
        boolean deny;
        /** A Describe of a converted Query statement: RowDescription goes to the client, NoData does not. */
        boolean converted;

        List<MaskRule> masks = List.of();
        /** The statement's analysis: masking's lineage, and what its completion may have changed. */
        StatementInfo info;

        StatementBook.Portal portal;
        /** The result's masking, planned at its first DataRow from the portal's RowDescription. */
        ResultPlan plan;
        /** A COPY … TO whose rows go through the decision's detectors (CopyGuard: MASK_DETECTORS). */
        boolean copyDetectors;

        Buffer synthetic;
        /** A synthetic reply that ends with ReadyForQuery (the status as of when it is sent). */
        boolean ready;

        long rows;
        long requestSeq = -1;
        /** Characters before the statement in the client's Query: added to an error's position. */
        int positionShift;
        /** Sync number (SYNC only). */
        long syncNo;
        /** The model changes this message made, taken back if the backend fails or skips it. */
        List<StatementBook.Undo> undo = List.of();
        /** Runs when the message completed (CommandComplete, CloseComplete). */
        Runnable done;

        Expect(Kind kind) {
            this.kind = kind;
        }

        void undo(StatementBook.Undo u) {
            if (undo.isEmpty()) {
                undo = new ArrayList<>(2);
            }
            undo.add(u);
        }
    }

    private final PgGateway gw;
    private final NetSocket client;
    private final Context context;
    private final String id = UUID.randomUUID().toString();
    private final Instant startedAt = Instant.now();
    /** Logs and traces on behalf of this session: every handler below runs inside it. */
    private final SessionContext session;

    private final PgFrameDecoder clientDecoder;
    private final ArrayDeque<Buffer> inbox = new ArrayDeque<>();
    private final ArrayDeque<Expect> expects = new ArrayDeque<>();
    private final List<Buffer> toClient = new ArrayList<>();
    private final List<Buffer> toBackend = new ArrayList<>();
    private final StatementBook book = new StatementBook();
    private final PgStatementAnalysis analysis;
    /** The session's events, from login on (SessionRecorder: seq, request count, nothing after session.ended). */
    private final PgRecording recording;

    private Phase phase = Phase.STARTUP;
    private PgFrameDecoder backendDecoder;
    private NetSocket backend;
    private Connection connection;
    private AgentIdentity identity;
    private Map<String, String> startupParameters = Map.of();
    private PgBackendAuthenticator backendAuth;
    private int backendPid;
    private int backendSecret;
    private int ownPid;
    private int ownSecret;
    private boolean busy;
    private boolean skipUntilSync;
    private boolean tlsActive;
    private boolean clientPaused;
    /** Back-pressure: the backend is not read while the client's socket is full, and the other way round. */
    private boolean backendReadPaused;

    private boolean clientReadPaused;
    private boolean counted;
    private byte txStatus = TX_IDLE;
    private long startupTimer = -1;
    private long idleTimer = -1;
    private long sessionTimer = -1;
    private long lastClientActivity = System.nanoTime();
    private String pendingReview;
    private String endReason = "client disconnected";
    /** The backend's standard_conforming_strings (ParameterStatus): how the lexer reads '' strings. */
    private boolean scs = true;
    /** Syncs sent to the backend, the proxy's own included. */
    private long syncsSent;
    /** The Sync of a converted COPY, held back while the backend may be in copy-in (it ignores Sync there). */
    private Buffer copySync;

    private boolean copyIn;
    private boolean pumpAfterBackend;
    /** The catalog snapshot and result masking; from the backend connection on. */
    private PgResultMasking masking;
    /** A query of the proxy's own in flight on the backend (catalog load, read-role audit): gets its answer. */
    private SideAnswer sideAnswer;
    /** The backend credential of the session's access level. */
    private Credentials credentials;
    /** The agent's session was counted against portcullis.pg.max-sessions-per-agent. */
    private boolean agentCounted;
    /** The masks of every statement run in the current transaction: for errors and notices of none. */
    private final java.util.Set<MaskRule> txMasks = new java.util.LinkedHashSet<>();

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
        if (!gw.registry().tryOpenConnection(gw.config().pg().maxConnections())) {
            client.write(PgMessages.errorResponse(
                    "FATAL",
                    SQLSTATE_TOO_MANY_CONNECTIONS,
                    "sorry, too many clients already (portcullis.pg.max-connections)"));
            client.close();
            session.end("too many connections");
            return;
        }
        counted = true;
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
        clientDecoder.feed(data);
        flush();
    }

    private void onClosed() {
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
        if (ownPid != 0) {
            gw.cancelKeys().remove(PgGateway.cancelKey(ownPid, ownSecret));
        }
        gw.registry().unregister(this);
        if (counted) {
            gw.registry().connectionClosed();
        }
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
    private void fatal(String sqlstate, String message) {
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

    private void flush() {
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
                onStartup(packet);
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
                onPassword(type, frame);
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
            if (phase == Phase.READY) {
                pump();
            }
        }

        @Override
        public void onFramingError(PgProtocolException error) {
            LOG.debugf("client framing error: %s", error.getMessage());
            fatal(SQLSTATE_PROTOCOL_VIOLATION, error.getMessage());
        }
    }

    private void onStartup(Buffer packet) {
        if (phase != Phase.STARTUP) {
            fatal(SQLSTATE_PROTOCOL_VIOLATION, "unexpected startup packet");
            return;
        }
        int code = packet.getInt(4);
        switch (code) {
            case SSL_REQUEST -> {
                if (gw.clientTls() && !tlsActive && clientDecoder.buffered() == 0) {
                    client.write(PgMessages.singleByte('S'));
                    client.pause();
                    client.upgradeToSsl().onComplete(session.wrap(ar -> {
                        if (ar.failed()) {
                            LOG.debugf("TLS handshake failed: %s", ar.cause().getMessage());
                            onClosed();
                        } else {
                            tlsActive = true;
                            client.resume();
                        }
                    }));
                } else {
                    client.write(PgMessages.singleByte('N'));
                }
            }
            case GSSENC_REQUEST -> client.write(PgMessages.singleByte('N'));
            case CANCEL_REQUEST -> {
                PgFrontendMessages.CancelRequest cancel = PgFrontendMessages.CancelRequest.decode(packet);
                PgSession target = gw.cancelKeys().get(PgGateway.cancelKey(cancel.processId(), cancel.secretKey()));
                if (target != null) {
                    target.context.runOnContext(target.session.wrap(v -> target.cancelBackend()));
                }
                client.close();
                phase = Phase.CLOSED;
                gw.registry().connectionClosed();
                counted = false;
                session.end("cancel request");
            }
            default -> {
                int major = code >>> 16;
                if (major != 3) {
                    fatal(
                            SQLSTATE_FEATURE_NOT_SUPPORTED,
                            "unsupported frontend protocol " + major + "." + (code & 0xffff) + ": server supports 3.0");
                    return;
                }
                PgFrontendMessages.StartupMessage startup = PgFrontendMessages.StartupMessage.decode(
                        Buffer.buffer()
                                .appendInt(packet.length())
                                .appendInt(PROTOCOL_3_0)
                                .appendBuffer(packet, 8, packet.length() - 8),
                        64);
                onStartupMessage(code, startup);
            }
        }
    }

    private void onStartupMessage(int code, PgFrontendMessages.StartupMessage startup) {
        startupParameters = startup.parameters();
        List<String> unsupported = new ArrayList<>();
        startupParameters.keySet().stream().filter(k -> k.startsWith("_pq_.")).forEach(unsupported::add);
        if ((code & 0xffff) != 0 || !unsupported.isEmpty()) {
            Buffer v = Buffer.buffer()
                    .appendByte(NEGOTIATE_PROTOCOL_VERSION)
                    .appendInt(0)
                    .appendInt(PROTOCOL_3_0)
                    .appendInt(unsupported.size());
            unsupported.forEach(
                    u -> v.appendBytes(u.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0));
            v.setInt(1, v.length() - 1);
            toClient.add(v);
        }
        if (startupParameters.containsKey("replication")) {
            fatal(SQLSTATE_FEATURE_NOT_SUPPORTED, "replication connections are not supported by Portcullis");
            return;
        }
        if (!tlsActive && !plaintextAllowed()) {
            fatal(SQLSTATE_INVALID_AUTHORIZATION, "Portcullis requires TLS (sslmode=require) for this client address");
            return;
        }
        String database = startupParameters.getOrDefault("database", startupParameters.get("user"));
        connection = database == null ? null : gw.connections().find(database).orElse(null);
        if (connection != null && connection.type() != ConnectionType.POSTGRES) {
            connection = null;
        }
        java.util.Optional<BackendStartup.Refusal> unserved = BackendStartup.checkClient(startupParameters);
        if (unserved.isPresent()) {
            // refused before the token is asked for: an encoding or search_path the proxy cannot read safely
            fatal(unserved.get().sqlstate(), unserved.get().message());
            return;
        }
        startupParameters = new HashMap<>(startupParameters);
        startupParameters.put("database", database == null ? "" : database);
        clientDecoder.expectMessages();
        phase = Phase.AUTHENTICATING;
        toClient.add(PgMessages.authenticationRequest(AUTH_CLEARTEXT_PASSWORD));
    }

    private boolean plaintextAllowed() {
        ProxyConfig.Plaintext mode = gw.config().pg().plaintext();
        if (mode == ProxyConfig.Plaintext.ANY) {
            return true;
        }
        if (mode == ProxyConfig.Plaintext.NEVER) {
            return false;
        }
        try {
            return client.remoteAddress() != null
                    && client.remoteAddress().host() != null
                    && InetAddress.getByName(client.remoteAddress().host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private void onPassword(byte type, Buffer frame) {
        if (type != PASSWORD_MESSAGE) {
            fatal(SQLSTATE_PROTOCOL_VIOLATION, "expected a password message (the Portcullis token)");
            return;
        }
        String token = PgFrontendMessages.PasswordMessage.decode(frame).password();
        String requested = startupParameters.get("database");
        busy = true;
        Connection conn = connection;
        gw.vertx()
                .<AgentIdentity>executeBlocking(
                        () -> {
                            if (conn == null) {
                                throw new TokenValidator.InvalidTokenException("unknown connection");
                            }
                            return gw.tokens().validate(token, conn.name(), AccessLevel.ids(conn.accessLevels()));
                        },
                        false)
                .onComplete(session.wrap(ar -> {
                    busy = false;
                    if (phase == Phase.CLOSED) {
                        return;
                    }
                    if (ar.failed()) {
                        String why = ar.cause().getMessage();
                        LOG.infof(
                                "login from %s refused for connection %s: %s", client.remoteAddress(), requested, why);
                        boolean notGranted = conn == null
                                || ar.cause() instanceof TokenValidator.InvalidTokenException e && e.missingScope();
                        if (notGranted) {
                            fatal(
                                    SQLSTATE_INVALID_AUTHORIZATION,
                                    "token does not grant access to connection \"" + requested + "\"");
                        } else {
                            fatal(
                                    SQLSTATE_INVALID_PASSWORD,
                                    "password authentication failed: invalid or expired Portcullis token");
                        }
                        return;
                    }
                    AgentIdentity verified = ar.result();
                    if (gw.registry().cutOff(verified.agent(), verified.issuedAt(), connection.name())) {
                        // a token minted before agent.disabled / grant.revoked is still valid for Keycloak until it
                        // expires
                        LOG.infof(
                                "login from %s refused: the token predates the kill switch for agent %s",
                                client.remoteAddress(), verified.agent());
                        fatal(
                                SQLSTATE_INVALID_AUTHORIZATION,
                                "access of agent " + verified.agent() + " was ended; get a new token once re-enabled");
                        return;
                    }
                    if (!gw.registry()
                            .tryOpenAgentSession(
                                    "postgres",
                                    verified.agent(),
                                    gw.config().pg().maxSessionsPerAgent())) {
                        fatal(
                                SQLSTATE_TOO_MANY_CONNECTIONS,
                                "too many sessions of agent " + verified.agent() + " (at most "
                                        + gw.config().pg().maxSessionsPerAgent()
                                        + ", portcullis.pg.max-sessions-per-agent)");
                        return;
                    }
                    agentCounted = true;
                    identity = verified;
                    recording.start(new SessionRecorder(gw.events(), id, verified.agent(), connection.name()));
                    session.identify(verified.agent(), connection.name());
                    if (!gw.events().canRecord() && gw.config().events().refuseWhenUnrecorded()) {
                        fatal(SQLSTATE_CANNOT_CONNECT, "session recording is unavailable; new sessions are refused");
                        return;
                    }
                    connectBackend();
                }));
    }

    // ---- backend connection ----------------------------------------------------------------------

    private void connectBackend() {
        phase = Phase.CONNECTING;
        Connection conn = connection;
        // the credentials of the level the token grants: one block for all, or a read-only role for read
        Credentials cred = Targets.credentials(conn, identity.access()).orElse(null);
        if (cred == null) {
            LOG.warnf("session %s: connection %s has no credentials for access %s", id, conn.name(), identity.access());
            fatal(SQLSTATE_CANNOT_CONNECT, "connection \"" + conn.name() + "\" has no credentials for this access");
            return;
        }
        gw.vertx()
                .<char[]>executeBlocking(() -> Targets.readPassword(conn, cred), false)
                .compose(password -> {
                    backendAuth = new PgBackendAuthenticator(cred.username(), password);
                    credentials = cred;
                    masking = new PgResultMasking(
                            gw.catalogs(),
                            gw.masker(),
                            new PgCatalogCache.Key(conn.name(), cred.username(), startupParameters.get("search_path")),
                            System::nanoTime);
                    return gw.backendClient().connect(Targets.port(conn), Targets.host(conn));
                })
                .compose(socket -> Targets.tls(conn) ? startBackendTls(socket) : Future.succeededFuture(socket))
                .onComplete(session.wrap(ar -> {
                    if (ar.failed()) {
                        LOG.warnf(
                                "cannot reach the target at %s: %s",
                                conn.address(), ar.cause().getMessage());
                        fatal(
                                SQLSTATE_CANNOT_CONNECT,
                                "could not connect to the target of connection \"" + conn.name() + "\"");
                        return;
                    }
                    backend = ar.result();
                    if (phase == Phase.CLOSED) {
                        backend.close();
                        return;
                    }
                    backendDecoder = new PgFrameDecoder(
                            PgFrameDecoder.State.MESSAGES, 8, gw.config().pg().maxMessageSize(), new BackendFrames());
                    backend.handler(session.wrap(data -> {
                        backendDecoder.feed(data);
                        if (pumpAfterBackend) {
                            pumpAfterBackend = false;
                            pump(); // a COPY's Sync went out: the client's next messages may follow
                        }
                        flush();
                    }));
                    backend.closeHandler(session.wrap(v -> {
                        if (phase != Phase.CLOSED) {
                            fatal(SQLSTATE_CONNECTION_FAILURE, "the target database closed the connection");
                        }
                    }));
                    backend.exceptionHandler(session.wrap(e -> LOG.debugf("backend error: %s", e.getMessage())));
                    // UTF8 pinned, read-only for read, the session limits; the client's display settings
                    BackendStartup.Result params = BackendStartup.parameters(
                            conn, cred, access(), startupParameters, BackendStartup.defaults(sessionLimits()));
                    if (params.refused()) {
                        fatal(params.refusal().sqlstate(), params.refusal().message());
                        return;
                    }
                    phase = Phase.BACKEND_AUTH;
                    toBackend.add(PgMessages.startupMessage(params.parameters()));
                    flush();
                }));
    }

    private Future<NetSocket> startBackendTls(NetSocket socket) {
        io.vertx.core.Promise<NetSocket> p = io.vertx.core.Promise.promise();
        socket.handler(b -> {
            socket.handler(null);
            if (b.length() != 1 || b.getByte(0) != 'S') {
                socket.close();
                p.tryFail("the target does not accept TLS");
                return;
            }
            socket.upgradeToSsl().onComplete(ar -> {
                if (ar.succeeded()) {
                    p.tryComplete(socket);
                } else {
                    p.tryFail(ar.cause());
                }
            });
        });
        socket.write(PgMessages.sslRequest());
        return p.future();
    }

    private void cancelBackend() {
        if (backend == null || connection == null) {
            return;
        }
        Connection conn = connection;
        int pid = backendPid;
        int secret = backendSecret;
        (Targets.tls(conn) ? gw.backendTlsClient() : gw.backendClient())
                .connect(Targets.port(conn), Targets.host(conn))
                .onSuccess(s -> {
                    s.write(PgMessages.cancelRequest(pid, secret));
                    s.end();
                });
        recording.emit(EventTypes.SESSION_REQUEST, new JsonObject().put("kind", "cancel"));
    }

    private final class BackendFrames implements PgFrameDecoder.Handler {
        @Override
        public void onStartupPacket(Buffer packet) {}

        @Override
        public void onMessage(byte type, Buffer frame) {
            if (phase == Phase.CLOSED) {
                return;
            }
            try {
                if (sideAnswer != null && PgCatalogLoad.isPartOfAnswer(type)) {
                    onSideAnswer(type, frame);
                } else if (phase == Phase.READY) {
                    onBackendMessage(type, frame);
                } else {
                    onBackendStartup(type, frame);
                }
            } catch (PgProtocolException | PgBackendAuthenticator.AuthenticationException e) {
                LOG.warnf("backend protocol problem: %s", e.getMessage());
                fatal(SQLSTATE_CONNECTION_FAILURE, "lost step with the target database");
            }
        }

        @Override
        public void onFramingError(PgProtocolException error) {
            LOG.warnf("backend framing error: %s", error.getMessage());
            fatal(SQLSTATE_CONNECTION_FAILURE, "the target database sent an invalid message");
        }
    }

    private void onBackendStartup(byte type, Buffer frame) {
        switch (type) {
            case AUTHENTICATION -> {
                Buffer reply = backendAuth.onAuthentication(PgBackendMessages.Authentication.decode(frame));
                if (reply != null) {
                    toBackend.add(reply);
                }
                if (backendAuth.isDone()) {
                    backendAuth = null;
                    phase = Phase.BACKEND_STARTUP;
                    toClient.add(PgMessages.authenticationRequest(AUTH_OK));
                }
            }
            case ERROR_RESPONSE -> {
                PgBackendMessages.Fields f = PgBackendMessages.Fields.decode(frame);
                LOG.warnf("target refused the session: %s %s", f.sqlstate(), f.message());
                if (phase == Phase.BACKEND_AUTH) {
                    fatal(
                            SQLSTATE_CANNOT_CONNECT,
                            "could not log in to the target of connection \"" + connection.name() + "\"");
                } else {
                    toClient.add(frame);
                    fatal(f.sqlstate(), f.message());
                }
            }
            case BACKEND_KEY_DATA -> {
                PgBackendMessages.BackendKeyData k = PgBackendMessages.BackendKeyData.decode(frame);
                backendPid = k.pid();
                backendSecret = k.secret();
                do {
                    ownPid = RANDOM.nextInt(Integer.MAX_VALUE - 1) + 1;
                    ownSecret = RANDOM.nextInt();
                } while (gw.cancelKeys().putIfAbsent(PgGateway.cancelKey(ownPid, ownSecret), this) != null);
                toClient.add(PgMessages.backendKeyData(ownPid, ownSecret));
            }
            case READY_FOR_QUERY -> {
                txStatus = frame.getByte(5);
                // the client is told ReadyForQuery once the read role passed its audit and the catalog is there;
                // its messages wait in the inbox
                auditReadRole(() -> loadCatalog(() -> {
                    toClient.add(PgMessages.readyForQuery(txStatus));
                    becomeReady();
                }));
            }
            case NEGOTIATE_PROTOCOL_VERSION -> {}
            case PARAMETER_STATUS -> {
                onParameterStatus(frame);
                if (phase != Phase.CLOSED) {
                    toClient.add(frame);
                }
            }
            default -> toClient.add(frame); // NoticeResponse
        }
    }

    /** The answer to a query of the proxy's own: null while it goes on, what to run next once it ended. */
    @FunctionalInterface
    private interface SideAnswer {
        Runnable onMessage(byte type, Buffer frame);
    }

    /** Sends a query of the proxy's own while the backend is idle; client messages wait until it is answered. */
    private void sideQuery(Buffer query, SideAnswer answer) {
        busy = true;
        sideAnswer = answer;
        toBackend.add(query);
        flush();
    }

    private void onSideAnswer(byte type, Buffer frame) {
        Runnable next = sideAnswer.onMessage(type, frame);
        if (next != null) {
            if (type == READY_FOR_QUERY) {
                txStatus = frame.getByte(5);
            }
            sideAnswer = null;
            busy = false;
            next.run();
        }
    }

    /**
     * A read session's credential must not be able to write (docs/architecture.md "Connections"): audited on the
     * session's own backend before the client is served, unless a pass of it is recent. A refusal ends the session,
     * naming the privilege.
     */
    private void auditReadRole(Runnable then) {
        if (access() != AccessLevel.READ || !gw.audits().needsAudit(connection, credentials)) {
            then.run();
            return;
        }
        SessionLimits defaults = BackendStartup.defaults(sessionLimits());
        long tempFileLimit = connection.sessionLimits().orElse(defaults).tempFileLimitKb();
        ReadRoleAuditReply reply = new ReadRoleAuditReply(tempFileLimit);
        sideQuery(ReadRoleAuditReply.query(), (type, frame) -> {
            ReadRoleAudit.Verdict verdict = reply.onMessage(type, frame);
            if (verdict == null) {
                return null;
            }
            gw.audits().record(connection, credentials, verdict);
            if (verdict.passed()) {
                return then;
            }
            LOG.warnf(
                    "session %s: the read credential of connection %s can write: %s",
                    id, connection.name(), String.join("; ", verdict.problems()));
            return () ->
                    fatal(ReadRoleAudit.SQLSTATE_REFUSED, ReadRoleAudit.refusalMessage(connection.name(), verdict));
        });
    }

    /**
     * Runs {@code then} once the session has a current catalog snapshot: at once when it has (or the shared cache
     * has) one, else after {@link PgCatalogLoad} ran on the backend. Client messages wait meanwhile.
     */
    private void loadCatalog(Runnable then) {
        if (!masking.needsLoad()) {
            then.run();
            return;
        }
        PgCatalogLoad load = new PgCatalogLoad();
        long generation = masking.generation();
        sideQuery(PgCatalogLoad.query(), (type, frame) -> {
            PgCatalogLoad.Result result = load.onMessage(type, frame);
            if (result == null) {
                return null;
            }
            if (!masking.loaded(result, generation)) {
                // fail closed: with no catalog nothing is read-only by its functions and masking is strictest
                LOG.warnf(
                        "session %s: catalog of connection %s not loaded: %s", id, connection.name(), result.failure());
                toClient.add(PgMessages.noticeResponse(
                        "01000",
                        "Portcullis could not read the target's catalog: function calls are not read-only"
                                + " and results are masked strictly for now"));
            }
            return then;
        });
    }

    private AccessLevel access() {
        return AccessLevel.fromId(identity.access()).orElse(AccessLevel.READ);
    }

    private ProxyConfig.SessionLimitDefaults sessionLimits() {
        return gw.config().pg().sessionLimits();
    }

    private void becomeReady() {
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
                boolean waiting = busy || !expects.isEmpty();
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

    private void pump() {
        while (!busy && phase == Phase.READY && !inbox.isEmpty()) {
            Buffer frame = inbox.peek();
            byte type = frame.getByte(0);
            if (copySync != null && type != COPY_DATA && type != COPY_DONE && type != COPY_FAIL && type != TERMINATE) {
                break; // nothing but the copy data may reach the backend until the COPY's Sync is sent
            }
            if ((type == QUERY || type == PARSE || type == BIND)
                    && !skipUntilSync
                    && expects.isEmpty()
                    && txStatus == TX_IDLE
                    && masking.needsLoad()) {
                // the backend is idle outside a transaction: the one moment a load cannot disturb the client's work
                loadCatalog(this::pump);
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
            case QUERY -> onQuery(frame);
            case PARSE -> onParse(frame);
            case BIND -> onBind(frame);
            case DESCRIBE -> onDescribe(frame);
            case EXECUTE -> onExecute(frame);
            case CLOSE -> onClose(frame);
            case SYNC -> {
                skipUntilSync = false;
                forward(frame, sync());
            }
            case COPY_DONE, COPY_FAIL -> {
                toBackend.add(frame);
                if (copySync != null && copyIn) {
                    releaseCopySync();
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
                enqueueSynthetic(e);
            }
            default -> throw new PgProtocolException("invalid frontend message type '" + (char) type + "'");
        }
    }

    private Expect sync() {
        Expect e = new Expect(Kind.SYNC);
        e.syncNo = ++syncsSent;
        return e;
    }

    private void forward(Buffer frame, Expect e) {
        toBackend.add(frame);
        expects.add(e);
        if (e.kind == Kind.EXECUTE && !e.masks.isEmpty()) {
            txMasks.addAll(e.masks);
        }
    }

    private void enqueueSynthetic(Expect e) {
        expects.add(e);
        drainSynthetic();
    }

    private void drainSynthetic() {
        Expect head;
        while ((head = expects.peek()) != null && head.kind == Kind.SYNTHETIC) {
            expects.poll();
            toClient.add(head.synthetic);
            if (head.ready) {
                toClient.add(PgMessages.readyForQuery(txStatus));
            }
        }
    }

    private void releaseCopySync() {
        toBackend.add(copySync);
        copySync = null;
        copyIn = false;
    }

    // ---- simple Query: each statement its own Parse/Bind/Describe/Execute, one Sync -----------------

    /** One statement of a Query or the statement of a Bind, as the proxy will decide and run it. */
    private record Step(
            SqlStatement statement, SqlCommand command, List<StatementInfo> decided, List<MaskRule> masks) {}

    /** A refusal of the proxy's own, raised by the backend so transaction state ends as PostgreSQL's would. */
    private record Refusal(String sqlstate, String message) {}

    private void onQuery(Buffer frame) {
        String sql = PgFrontendMessages.Query.decode(frame).sql();
        book.forgetUnnamed(); // PostgreSQL drops the unnamed statement and portal for every Query
        List<SqlStatement> parts = SqlLexer.split(sql, scs);
        if (parts.isEmpty()) {
            // only whitespace or comments: answered here, never forwarded
            Expect e = new Expect(Kind.SYNTHETIC);
            e.synthetic = EMPTY_QUERY;
            e.ready = true;
            enqueueSynthetic(e);
            return;
        }
        List<StatementInfo> infos = analysis.analyze(sql, parts, scs);
        List<Step> steps = new ArrayList<>(parts.size());
        List<StatementInfo> decided = parts.size() == 1 ? null : new ArrayList<>(parts.size());
        Refusal refusal = null;
        boolean cacheable = true;
        for (int i = 0; i < parts.size(); i++) {
            SqlStatement part = parts.get(i);
            StatementInfo info = infos.get(i);
            if (parts.size() > 1) {
                String sensitive = SqlCommand.blockSensitive(part.text(), scs, info.type(), i == parts.size() - 1);
                if (sensitive != null && refusal == null) {
                    refusal = new Refusal(
                            SQLSTATE_FEATURE_NOT_SUPPORTED,
                            sensitive + " cannot run through Portcullis in a query with other statements:"
                                    + " send it as its own query");
                }
            }
            SqlCommand command = SqlCommand.parse(part.text(), scs);
            Step step = resolve(part, command, info);
            if (step == null) {
                if (refusal == null) {
                    refusal = refusalOf(command);
                }
                step = new Step(part, command, List.of(info), List.of());
            }
            cacheable &= command.verb() == SqlCommand.Verb.OTHER;
            steps.add(step);
            if (decided != null) {
                decided.addAll(step.decided());
            }
        }
        List<StatementInfo> all = decided != null ? decided : steps.get(0).decided();
        JsonObject request = PolicyRequest.of("query", sql, all, null, masking.catalog());
        long requestSeq = recording.request(request, List.of());
        if (refusal != null) {
            raise(refusal, requestSeq, true);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        decide(cacheable, request, requestSeq, decision -> {
            switch (decision.action()) {
                case ALLOW -> runQuery(steps, sql, decision.mask(), requestSeq);
                case DENY -> raise(new Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()), requestSeq, true);
                case REVIEW ->
                    review(
                            request,
                            decision,
                            requestSeq,
                            approved -> runQuery(steps, sql, decision.mask(), requestSeq),
                            reason -> raise(new Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, reason), requestSeq, true));
            }
        });
    }

    private static final Buffer EMPTY_QUERY =
            Buffer.buffer(5).appendByte(EMPTY_QUERY_RESPONSE).appendInt(4);

    /**
     * What a statement is decided on: a statement naming a prepared statement or cursor is decided on
     * the text it names, PREPARE and DECLARE on the statement they hold. Null when the proxy refuses
     * it ({@link #refusalOf}).
     */
    private Step resolve(SqlStatement part, SqlCommand command, StatementInfo info) {
        switch (command.verb()) {
            case OTHER, DEALLOCATE, CLOSE, DISCARD_ALL -> {
                return command.name() != null && StatementBook.nameTooLong(command.name())
                        ? null
                        : new Step(part, command, List.of(info), List.of());
            }
            case PREPARE, DECLARE -> {
                if (StatementBook.nameTooLong(command.name())
                        || command.verb() == SqlCommand.Verb.PREPARE && book.statementTaken(command.name())) {
                    return null;
                }
                return new Step(
                        part,
                        command,
                        List.of(analysis.analyzeOne(command.inner(), part.offset() + command.innerOffset(), scs)),
                        List.of());
            }
            case EXECUTE -> {
                StatementBook.Prepared p = book.statement(command.name());
                return p == null
                        ? null
                        : new Step(part, command, List.of(analysis.analyzeOne(p.sql, part.offset(), scs)), List.of());
            }
            case FETCH -> {
                StatementBook.Portal cursor = book.portal(command.name());
                return cursor == null
                        ? null
                        : new Step(
                                part,
                                command,
                                List.of(analysis.analyzeOne(cursor.text, part.offset(), scs)),
                                cursor.masks);
            }
            default -> {
                return null;
            }
        }
    }

    private Refusal refusalOf(SqlCommand command) {
        String name = command.name();
        if (name != null && StatementBook.nameTooLong(name)) {
            return new Refusal(
                    SQLSTATE_NAME_TOO_LONG,
                    "names of prepared statements and cursors are limited to " + StatementBook.MAX_NAME_BYTES
                            + " bytes through Portcullis");
        }
        return switch (command.verb()) {
            case PREPARE ->
                new Refusal(SQLSTATE_DUPLICATE_PSTATEMENT, quoted("prepared statement", name) + " already exists");
            case EXECUTE ->
                new Refusal(SQLSTATE_UNDEFINED_PSTATEMENT, quoted("prepared statement", name) + " does not exist");
            case FETCH -> new Refusal(SQLSTATE_UNDEFINED_CURSOR, quoted("cursor", name) + " does not exist");
            case NESTED_EXECUTE ->
                new Refusal(
                        SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "EXECUTE of a prepared statement inside another command is not supported through Portcullis:"
                                + " run EXECUTE on its own");
            default ->
                new Refusal(
                        SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "Portcullis cannot read the name of the prepared statement or cursor in this statement:"
                                + " use a plain or double-quoted identifier");
        };
    }

    private static String quoted(String what, String name) {
        return what + " \"" + name + "\"";
    }

    /** Runs an allowed Query: one Parse/Bind/Describe/Execute per statement, one Sync after the last. */
    private void runQuery(List<Step> steps, String sql, List<MaskRule> masks, long requestSeq) {
        boolean[] copyDetectors = new boolean[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            Refusal refused = copyRefusal(stepMasks, step.statement().text());
            if (refused != null) {
                raise(refused, requestSeq, true); // nothing of the Query reaches the backend
                return;
            }
            copyDetectors[i] = copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        }
        book.forgetUnnamed();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            SqlStatement st = step.statement();
            int shift = st.offset() == 0 ? 0 : sql.codePointCount(0, st.offset());
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            StatementInfo info = step.decided().get(0);
            StatementBook.Portal portal =
                    new StatementBook.Portal(st.text(), null, null, stepMasks, requestSeq, false, syncsSent);
            portal.info = info;
            Expect parse = stepExpect(Kind.PARSE, stepMasks, info, shift);
            parse.swallow = true;
            Expect bind = stepExpect(Kind.BIND, stepMasks, info, shift);
            bind.swallow = true;
            Expect describe = stepExpect(Kind.DESCRIBE_PORTAL, stepMasks, info, shift);
            describe.converted = true;
            describe.portal = portal;
            describe.masks = List.of(); // its RowDescription is no data
            Expect exec = stepExpect(Kind.EXECUTE, stepMasks, info, shift);
            exec.portal = portal;
            exec.requestSeq = requestSeq;
            exec.copyDetectors = copyDetectors[i];
            applyCommand(step.command(), stepMasks, requestSeq, exec);
            forward(PgMessages.parse("", st.text()), parse);
            forward(UNNAMED_BIND, bind);
            forward(UNNAMED_DESCRIBE, describe);
            forward(UNNAMED_EXECUTE, exec);
        }
        Expect sync = sync();
        expects.add(sync);
        if (steps.size() == 1
                && "copy".equals(new SqlCommand.Tokens(steps.get(0).statement().text(), scs).word())) {
            // without a Sync the backend keeps its replies buffered: Flush asks for them (and is
            // ignored in copy-in); the Sync goes once the backend shows it is not (or no longer) in copy-in
            toBackend.add(PgMessages.flush());
            copySync = PgMessages.sync();
        } else {
            toBackend.add(PgMessages.sync());
        }
    }

    /** The verdict of the last {@link #copyRefusal} (null: the statement is no COPY … TO). */
    private CopyGuard.Verdict copyVerdict;

    /**
     * A {@code COPY … TO} under masks: refused when it reads masked data or asks for binary (COPY's rows have no
     * RowDescription to mask by), else its rows go through the detectors ({@link #copyVerdict}).
     */
    private Refusal copyRefusal(List<MaskRule> masks, String statement) {
        copyVerdict = masking.copy(masks, statement, text -> analysis.analyzeOne(text, 0, scs))
                .orElse(null);
        if (copyVerdict == CopyGuard.Verdict.REFUSE) {
            return new Refusal(CopyGuard.SQLSTATE, CopyGuard.REFUSED);
        }
        if (copyVerdict == CopyGuard.Verdict.REFUSE_BINARY) {
            return new Refusal(CopyGuard.SQLSTATE, CopyGuard.BINARY_REFUSED);
        }
        return null;
    }

    /** One message of a converted statement: its errors and notices are masked as its rows are. */
    private static Expect stepExpect(Kind kind, List<MaskRule> masks, StatementInfo info, int shift) {
        Expect e = new Expect(kind);
        e.masks = masks;
        e.info = info;
        e.positionShift = shift;
        return e;
    }

    private static final Buffer UNNAMED_BIND = PgMessages.bind("", "");
    private static final Buffer UNNAMED_DESCRIBE = PgMessages.describe(TARGET_PORTAL, "");
    private static final Buffer UNNAMED_EXECUTE = PgMessages.execute("", 0);

    private static List<MaskRule> union(List<MaskRule> a, List<MaskRule> b) {
        List<MaskRule> out = new ArrayList<>(a);
        for (MaskRule m : b) {
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    /** The namespace changes a SQL command makes, applied as it is sent and taken back if it does not run. */
    private void applyCommand(SqlCommand command, List<MaskRule> masks, long requestSeq, Expect e) {
        String name = command.name();
        switch (command.verb()) {
            case PREPARE -> e.undo(book.parse(name, new StatementBook.Prepared(command.inner(), new int[0])));
            case DEALLOCATE -> {
                if (name == null) {
                    e.undo(book.deallocateAll());
                    e.done = book::allStatementsGone;
                } else {
                    e.undo(book.closeStatement(name));
                    e.done = () -> book.statementGone(name);
                }
            }
            case DECLARE -> {
                StatementBook.Portal cursor = new StatementBook.Portal(
                        command.inner(), null, null, masks, requestSeq, command.hold(), syncsSent);
                cursor.info = e.info;
                e.undo(book.bind(name, cursor));
            }
            case CLOSE -> e.undo(name == null ? book.closeAllPortals() : book.closePortal(name));
            case DISCARD_ALL -> {
                e.undo(book.deallocateAll());
                e.undo(book.closeAllPortals());
                e.done = book::allStatementsGone;
            }
            default -> {}
        }
    }

    /**
     * Refuses or denies by having the backend raise the error from a DO block, run as the unnamed
     * statement, so transaction state ends as PostgreSQL's would. In a Query it ends with the Query's
     * Sync; in the extended protocol the client's messages up to its Sync are dropped, as PostgreSQL
     * drops them after an error.
     */
    private void raise(Refusal refusal, long requestSeq, boolean query) {
        book.forgetUnnamed();
        Expect parse = new Expect(Kind.PARSE);
        parse.swallow = true;
        Expect bind = new Expect(Kind.BIND);
        bind.swallow = true;
        Expect exec = new Expect(Kind.EXECUTE);
        exec.deny = true;
        exec.requestSeq = requestSeq;
        forward(PgMessages.parse("", denySql(refusal.sqlstate(), refusal.message())), parse);
        forward(UNNAMED_BIND, bind);
        forward(UNNAMED_EXECUTE, exec);
        if (query) {
            forward(PgMessages.sync(), sync());
        } else {
            skipUntilSync = true;
        }
    }

    static String denySql(String message) {
        return denySql(SQLSTATE_INSUFFICIENT_PRIVILEGE, message);
    }

    static String denySql(String sqlstate, String message) {
        String m = message.replace("$", "");
        return "DO $portcullis$BEGIN RAISE EXCEPTION USING ERRCODE = '" + sqlstate + "', MESSAGE = $pcm$" + m
                + "$pcm$; END$portcullis$";
    }

    // ---- extended protocol: the names follow what the backend accepts -------------------------------

    private void onParse(Buffer frame) {
        PgFrontendMessages.Parse parse = PgFrontendMessages.Parse.decode(frame);
        String name = parse.statement();
        if (StatementBook.nameTooLong(name)) {
            raise(refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)), -1, false);
            return;
        }
        if (!name.isEmpty() && book.statementTaken(name)) {
            // PostgreSQL refuses it (42P05); the proxy answers for it so its record stays the backend's
            raise(refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)), -1, false);
            return;
        }
        Expect e = new Expect(Kind.PARSE);
        e.undo(book.parse(name, new StatementBook.Prepared(parse.sql(), parse.parameterTypes())));
        forward(frame, e);
    }

    private void onDescribe(Buffer frame) {
        PgFrontendMessages.Target t = PgFrontendMessages.Target.decode(frame);
        Expect e = new Expect(t.kind() == TARGET_STATEMENT ? Kind.DESCRIBE_STATEMENT : Kind.DESCRIBE_PORTAL);
        e.name = t.name();
        if (t.kind() == TARGET_STATEMENT) {
            StatementBook.Prepared p = book.statement(t.name());
            if (p == null) {
                raise(unknownStatement(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
        } else {
            StatementBook.Portal p = book.portal(t.name());
            if (p == null) {
                raise(unknownPortal(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
            e.portal = p;
        }
        forward(frame, e);
    }

    private void onClose(Buffer frame) {
        PgFrontendMessages.Target t = PgFrontendMessages.Target.decode(frame);
        String name = t.name();
        Expect e = new Expect(Kind.CLOSE);
        if (t.kind() == TARGET_STATEMENT) {
            e.undo(book.closeStatement(name));
            e.done = () -> book.statementGone(name);
        } else {
            e.undo(book.closePortal(name));
        }
        forward(frame, e);
    }

    private static Refusal unknownStatement(String name) {
        return new Refusal(
                SQLSTATE_UNDEFINED_PSTATEMENT,
                name.isEmpty()
                        ? "unnamed prepared statement does not exist"
                        : quoted("prepared statement", name) + " does not exist");
    }

    private static Refusal unknownPortal(String name) {
        return new Refusal(SQLSTATE_UNDEFINED_CURSOR, quoted("portal", name) + " does not exist");
    }

    private void onBind(Buffer frame) {
        Bind bind = Bind.decode(frame);
        if (StatementBook.nameTooLong(bind.portal())) {
            raise(refusalOf(new SqlCommand(SqlCommand.Verb.DECLARE, bind.portal(), null, -1, false)), -1, false);
            return;
        }
        StatementBook.Prepared prepared = book.statement(bind.statement());
        if (prepared == null) {
            raise(unknownStatement(bind.statement()), -1, false);
            return;
        }
        String sql = prepared.sql;
        // the statement as PostgreSQL holds it is one statement (Parse refuses more): decided as one
        SqlStatement whole = new SqlStatement(sql, 0);
        SqlCommand command = SqlCommand.parse(sql, scs);
        StatementInfo info = analysis.analyzeOne(sql, 0, scs);
        Step step = resolve(whole, command, info);
        JsonArray params = PgBindParameters.of(bind, prepared.parameterTypes);
        List<StatementInfo> decided = step == null ? List.of(info) : step.decided();
        JsonObject request = PolicyRequest.of("execute", sql, decided, params, masking.catalog());
        long requestSeq = recording.request(request, List.of());
        if (step == null) {
            raise(refusalOf(command), requestSeq, false);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        decide(command.verb() == SqlCommand.Verb.OTHER, request, requestSeq, decision -> {
            switch (decision.action()) {
                case ALLOW -> allowBind(frame, bind, prepared, step, decision, requestSeq);
                case DENY -> raise(new Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()), requestSeq, false);
                case REVIEW ->
                    review(
                            request,
                            decision,
                            requestSeq,
                            approved -> allowBind(frame, bind, prepared, step, decision, requestSeq),
                            reason -> raise(new Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, reason), requestSeq, false));
            }
        });
    }

    private void allowBind(
            Buffer frame, Bind bind, StatementBook.Prepared prepared, Step step, Decision decision, long requestSeq) {
        List<MaskRule> masks = step.masks().isEmpty() ? decision.mask() : union(decision.mask(), step.masks());
        Refusal refused = copyRefusal(masks, prepared.sql);
        if (refused != null) {
            raise(refused, requestSeq, false);
            return;
        }
        StatementBook.Portal portal =
                new StatementBook.Portal(prepared.sql, prepared, bind, masks, requestSeq, false, syncsSent);
        if (step.command().verb() != SqlCommand.Verb.OTHER) {
            portal.command = step.command();
        }
        portal.info = step.decided().get(0);
        portal.copyDetectors = copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        Expect e = new Expect(Kind.BIND);
        e.masks = masks;
        e.info = portal.info;
        e.undo(book.bind(bind.portal(), portal));
        forward(frame, e);
    }

    private void onExecute(Buffer frame) {
        PgFrontendMessages.Execute ex = PgFrontendMessages.Execute.decode(frame);
        StatementBook.Portal portal = book.portal(ex.portal());
        if (portal == null) {
            raise(unknownPortal(ex.portal()), -1, false);
            return;
        }
        Expect e = new Expect(Kind.EXECUTE);
        e.portal = portal;
        e.masks = portal.masks;
        e.info = portal.info;
        e.copyDetectors = portal.copyDetectors;
        e.requestSeq = portal.requestSeq;
        if (portal.command != null) {
            applyCommand(portal.command, portal.masks, portal.requestSeq, e);
            portal.command = null; // a portal runs its command once; a second Execute returns nothing more
        }
        if (!portal.masks.isEmpty()
                && portal.description == null
                && !portal.describeRequested
                && (portal.statement == null
                        || portal.statement.description == null && !portal.statement.describeRequested)) {
            // masking needs column names: ask for them and keep the answer from the client
            Expect d = new Expect(Kind.DESCRIBE_PORTAL);
            d.name = ex.portal();
            d.portal = portal;
            d.swallow = true;
            portal.describeRequested = true;
            forward(PgMessages.describe(TARGET_PORTAL, ex.portal()), d);
        }
        forward(frame, e);
    }

    // ---- policy --------------------------------------------------------------------------------

    /**
     * Asks policy, or the proxy's one {@link DecisionCache}: keyed by the whole policy input (exact), and by its
     * shape only for a decision policy-service scoped {@code shape}; every entry tied to the policy revision.
     *
     * @param cacheable false: never cached (the statement names something whose text can change)
     */
    private void decide(
            boolean cacheable, JsonObject request, long requestSeq, java.util.function.Consumer<Decision> then) {
        JsonObject input =
                PolicyInput.of(identity, connection, id, String.valueOf(client.remoteAddress()), startedAt, request);
        ProxyConfig.DecisionCache mode = gw.config().pg().decisionCache();
        DecisionCache.Key key = cacheable && mode != ProxyConfig.DecisionCache.OFF
                ? DecisionCache.key(input, mode == ProxyConfig.DecisionCache.SHAPE)
                : null;
        Decision cached = key == null ? null : gw.decisions().get(key);
        if (cached != null) {
            recording.decision(cached, requestSeq, true);
            then.accept(cached);
            return;
        }
        busy = true;
        gw.policy().decide(input).onComplete(session.wrap(ar -> {
            busy = false;
            if (phase == Phase.CLOSED) {
                return;
            }
            Decision d = ar.succeeded() ? ar.result() : Decision.failClosed("policy service unavailable");
            if (key != null) {
                // reviews, outages and decisions without a revision are not kept (DecisionCache.put)
                gw.decisions().put(key, d, gw.config().pg().decisionCacheTtl());
            } else if (d.revision() != null) {
                gw.decisions().observe(d.revision()); // a new revision still empties the cache
            }
            recording.decision(d, requestSeq, false);
            then.accept(d);
            pump();
        }));
    }

    private void review(
            JsonObject request,
            Decision decision,
            long requestSeq,
            java.util.function.Consumer<Void> approved,
            java.util.function.Consumer<String> refused) {
        busy = true;
        // the hold is registered before review.requested is published (ReviewRequests.open)
        ReviewRequests.Pending pending = ReviewRequests.open(
                gw.holds(),
                gw.events(),
                recording.recorder(),
                identity,
                connection.name(),
                recording.maskedRequest(request, decision.mask()),
                decision,
                requestSeq,
                gw.config().review().timeout());
        pendingReview = pending.reviewId();
        toClient.add(PgMessages.noticeResponse(
                "01000",
                "Portcullis: waiting for approval, review " + pending.reviewId()
                        + (decision.reasons().isEmpty() ? "" : " (" + String.join("; ", decision.reasons()) + ")")));
        flush();
        pending.outcome().onComplete(session.wrap(ar -> {
            pendingReview = null;
            busy = false;
            if (phase == Phase.CLOSED) {
                return;
            }
            ReviewHolds.Outcome outcome = ar.succeeded() ? ar.result() : ReviewHolds.Outcome.EXPIRED;
            if (outcome == ReviewHolds.Outcome.APPROVED) {
                approved.accept(null);
            } else {
                refused.accept(ReviewRequests.refusal(pending.reviewId(), outcome));
            }
            pump();
        }));
    }

    // ---- backend messages in READY: the hot path -----------------------------------------------

    private void onBackendMessage(byte type, Buffer frame) {
        if (copySync != null) {
            if (type == COPY_IN_RESPONSE) {
                copyIn = true;
            } else if (type == ERROR_RESPONSE
                    || type == COPY_OUT_RESPONSE
                    || type == COMMAND_COMPLETE
                    || type == COPY_BOTH_RESPONSE) {
                releaseCopySync(); // not in copy-in (any more): the held Sync may go
                pumpAfterBackend = true;
            }
        }
        switch (type) {
            case DATA_ROW -> {
                Expect head = expects.peek();
                if (head != null) {
                    head.rows++;
                    if (!head.masks.isEmpty()) {
                        frame = mask(head, frame);
                        if (frame == null) {
                            return;
                        }
                    }
                }
                toClient.add(frame);
            }
            case COMMAND_COMPLETE, EMPTY_QUERY_RESPONSE -> {
                Expect head = expects.peek();
                if (head != null && head.kind == Kind.EXECUTE) {
                    expects.poll();
                    if (type == COMMAND_COMPLETE && head.requestSeq >= 0) {
                        recording.output(head.requestSeq, PgBackendMessages.commandTag(frame), head.rows, head.deny);
                    }
                    if (type == COMMAND_COMPLETE) {
                        masking.completed(head.info);
                    }
                    if (head.done != null) {
                        head.done.run();
                    }
                }
                toClient.add(frame);
            }
            case READY_FOR_QUERY -> {
                Expect head;
                while ((head = expects.poll()) != null && head.kind != Kind.SYNC) {
                    // replies that never came because of an error before Sync
                }
                txStatus = frame.getByte(5);
                if (head != null && txStatus == TX_IDLE) {
                    book.transactionEnded(head.syncNo);
                }
                masking.readyForQuery(txStatus);
                if (txStatus == TX_IDLE && expects.isEmpty()) {
                    txMasks.clear();
                }
                toClient.add(frame);
            }
            case ROW_DESCRIPTION -> {
                Expect head = expects.peek();
                boolean forward = true;
                if (head != null) {
                    switch (head.kind) {
                        case DESCRIBE_STATEMENT -> {
                            StatementBook.Prepared p = book.statement(head.name);
                            if (p != null) {
                                p.description = RowDescription.decode(frame);
                            }
                            expects.poll();
                            forward = !head.swallow;
                        }
                        case DESCRIBE_PORTAL -> {
                            // the result mask planner reads the columns here, before any DataRow
                            if (head.portal != null) {
                                head.portal.description = RowDescription.decode(frame);
                            }
                            expects.poll();
                            forward = !head.swallow;
                        }
                        default -> {}
                    }
                }
                if (forward) {
                    toClient.add(frame);
                }
            }
            case PARSE_COMPLETE, BIND_COMPLETE, NO_DATA -> {
                Expect head = expects.poll();
                if (head == null || !(head.swallow || head.converted)) {
                    toClient.add(frame);
                }
            }
            case CLOSE_COMPLETE -> {
                Expect head = expects.poll();
                if (head != null && head.done != null) {
                    head.done.run();
                }
                toClient.add(frame);
            }
            case PORTAL_SUSPENDED -> {
                expects.poll();
                toClient.add(frame);
            }
            case ERROR_RESPONSE -> onError(frame);
            case PARAMETER_STATUS -> {
                onParameterStatus(frame);
                toClient.add(frame);
            }
            case BACKEND_KEY_DATA, AUTHENTICATION ->
                throw new PgProtocolException("unexpected backend message '" + (char) type + "' after startup");
            case NOTICE_RESPONSE -> toClient.add(maskMessage(frame, expects.peek()));
            case COPY_OUT_RESPONSE -> {
                Expect head = expects.peek();
                if (head != null && !head.masks.isEmpty() && (!head.copyDetectors || CopyGuard.isBinary(frame))) {
                    // a COPY the guard did not pass as text: its rows cannot be masked
                    fatal(CopyGuard.SQLSTATE, head.copyDetectors ? CopyGuard.BINARY_REFUSED : CopyGuard.REFUSED);
                    return;
                }
                toClient.add(frame);
            }
            case COPY_DATA -> {
                Expect head = expects.peek();
                toClient.add(head != null && head.copyDetectors ? masking.maskCopyData(frame, head.masks) : frame);
            }
            default -> toClient.add(frame); // ParameterDescription, notifications, COPY in and done
        }
        drainSynthetic();
    }

    /**
     * The message at the head failed; the backend skips everything else up to Sync. Their model
     * changes are taken back, latest first, and the error goes to the client with its position
     * moved to where the statement starts in the client's Query.
     */
    private void onError(Buffer frame) {
        Expect failed = expects.peek();
        if (failed == null || failed.kind == Kind.SYNC) {
            // an error at commit (Sync), or one no message of the client's caused: masked as the transaction's
            toClient.add(maskMessage(frame, null));
            return;
        }
        expects.poll();
        List<Expect> skipped = new ArrayList<>();
        Expect next;
        while ((next = expects.peek()) != null && next.kind != Kind.SYNC) {
            skipped.add(expects.poll());
        }
        PgBackendMessages.Fields fields = PgBackendMessages.Fields.decode(frame);
        for (int i = skipped.size() - 1; i >= 0; i--) {
            for (StatementBook.Undo u : skipped.get(i).undo) {
                u.skipped();
            }
        }
        for (int i = failed.undo.size() - 1; i >= 0; i--) {
            failed.undo.get(i).failed(fields.sqlstate());
        }
        if (failed.deny) {
            // the raise comes from the proxy's DO block: drop PL/pgSQL context, file and line
            toClient.add(fields.encode(ERROR_RESPONSE, "WFLRPpq"));
            return;
        }
        // masked before the position shift: the masker re-encodes the fields it is given
        Buffer masked = maskMessage(frame, failed);
        if (failed.positionShift > 0 && fields.values().containsKey('P')) {
            toClient.add(shiftPosition(PgBackendMessages.Fields.decode(masked), failed.positionShift));
        } else {
            toClient.add(masked);
        }
    }

    /**
     * An ErrorResponse or NoticeResponse while {@code e} is the message at the head: masked with its decision's
     * masks; a message of no statement with masks of its own (a deferred constraint at commit, a notice of a
     * transaction command) with the masks of every statement of the transaction, its lineage unknown.
     */
    private Buffer maskMessage(Buffer frame, Expect e) {
        if (e != null && !e.masks.isEmpty()) {
            return masking.maskMessage(frame, e.masks, e.info, e.kind == Kind.PARSE);
        }
        if (!txMasks.isEmpty()) {
            return masking.maskMessage(frame, List.copyOf(txMasks), e == null ? null : e.info, false);
        }
        return frame;
    }

    /** PostgreSQL counts the position (P) in characters from 1 within the statement it parsed. */
    static Buffer shiftPosition(PgBackendMessages.Fields fields, int shift) {
        Map<Character, String> values = new LinkedHashMap<>(fields.values());
        try {
            values.put('P', String.valueOf(Integer.parseInt(values.get('P')) + shift));
        } catch (NumberFormatException e) {
            values.remove('P');
        }
        return new PgBackendMessages.Fields(values).encode(ERROR_RESPONSE, "");
    }

    /**
     * The backend's settings the proxy depends on: standard_conforming_strings decides how the lexer
     * reads '' strings; any client_encoding but UTF8 could give bytes a meaning the proxy did not
     * read (SJIS, BIG5, GBK and GB18030 have trailing bytes equal to a backslash), so the session ends.
     */
    private void onParameterStatus(Buffer frame) {
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

    /**
     * A DataRow of a result with masks: planned once from the portal's RowDescription, the Bind's result formats,
     * the statement's lineage and the catalog (masking follows the source of the data, not the output name).
     */
    private Buffer mask(Expect e, Buffer frame) {
        if (e.plan == null) {
            RowDescription desc = null;
            Bind bind = null;
            if (e.portal != null) {
                bind = e.portal.bind;
                desc = e.portal.description != null || e.portal.statement == null
                        ? e.portal.description
                        : e.portal.statement.description;
            }
            if (desc == null) {
                fatal(SQLSTATE_FEATURE_NOT_SUPPORTED, "masked result without a row description");
                return null;
            }
            Bind b = bind;
            e.plan = masking.plan(e.masks, desc.fields(), b == null ? null : b::resultFormat, e.info);
            if (e.plan.refusal() != null) {
                fatal(ResultMaskPlanner.BINARY_REFUSED_SQLSTATE, e.plan.refusal());
                return null;
            }
        }
        return masking.maskRow(e.plan, frame);
    }

    @Override
    public String toString() {
        return "PgSession[" + id + ", agent=" + agent() + ", connection=" + connection() + "]";
    }
}
