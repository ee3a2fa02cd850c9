package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.SessionContext;
import dev.portcullis.proxy.pg.PgReplyQueue.Expect;
import dev.portcullis.proxy.pg.PgReplyQueue.Kind;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages.Bind;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import dev.portcullis.proxy.pg.codec.PgReader;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import dev.portcullis.proxy.pg.sql.SqlLexer;
import dev.portcullis.proxy.pg.sql.SqlStatement;
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
    private final StatementGuard guard = new StatementGuard(this);
    /** What the proxy waits for from the backend, and the backend's messages in READY. */
    final PgReplyQueue replies = new PgReplyQueue(this);
    /** The session's events, from login on (SessionRecorder: seq, request count, nothing after session.ended). */
    final PgRecording recording;

    Phase phase = Phase.STARTUP;
    NetSocket backend;
    Connection connection;
    AgentIdentity identity;
    Map<String, String> startupParameters = Map.of();
    boolean busy;
    boolean skipUntilSync;
    boolean tlsActive;
    private boolean clientPaused;
    /** Back-pressure: the backend is not read while the client's socket is full, and the other way round. */
    private boolean backendReadPaused;

    private boolean clientReadPaused;
    boolean counted;
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
            case QUERY -> onQuery(frame);
            case PARSE -> onParse(frame);
            case BIND -> onBind(frame);
            case DESCRIBE -> onDescribe(frame);
            case EXECUTE -> onExecute(frame);
            case CLOSE -> onClose(frame);
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

    // ---- simple Query: each statement its own Parse/Bind/Describe/Execute, one Sync -----------------

    /** One statement of a Query or the statement of a Bind, as the proxy will decide and run it. */
    private record Step(
            SqlStatement statement, SqlCommand command, List<StatementInfo> decided, List<MaskRule> masks) {}

    private void onQuery(Buffer frame) {
        String sql = PgFrontendMessages.Query.decode(frame).sql();
        book.forgetUnnamed(); // PostgreSQL drops the unnamed statement and portal for every Query
        List<SqlStatement> parts = SqlLexer.split(sql, scs);
        if (parts.isEmpty()) {
            // only whitespace or comments: answered here, never forwarded
            Expect e = new Expect(Kind.SYNTHETIC);
            e.synthetic = EMPTY_QUERY;
            e.ready = true;
            replies.enqueueSynthetic(e);
            return;
        }
        List<StatementInfo> infos = analysis.analyze(sql, parts, scs);
        List<Step> steps = new ArrayList<>(parts.size());
        List<StatementInfo> decided = parts.size() == 1 ? null : new ArrayList<>(parts.size());
        StatementGuard.Refusal refusal = null;
        boolean cacheable = true;
        for (int i = 0; i < parts.size(); i++) {
            SqlStatement part = parts.get(i);
            StatementInfo info = infos.get(i);
            if (parts.size() > 1) {
                String sensitive = SqlCommand.blockSensitive(part.text(), scs, info.type(), i == parts.size() - 1);
                if (sensitive != null && refusal == null) {
                    refusal = new StatementGuard.Refusal(
                            SQLSTATE_FEATURE_NOT_SUPPORTED,
                            sensitive + " cannot run through Portcullis in a query with other statements:"
                                    + " send it as its own query");
                }
            }
            SqlCommand command = SqlCommand.parse(part.text(), scs);
            Step step = resolve(part, command, info);
            if (step == null) {
                if (refusal == null) {
                    refusal = StatementGuard.refusalOf(command);
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
            guard.raise(refusal, requestSeq, true);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        guard.decide(cacheable, request, requestSeq, decision -> {
            switch (decision.action()) {
                case ALLOW -> runQuery(steps, sql, decision.mask(), requestSeq);
                case DENY ->
                    guard.raise(
                            new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()),
                            requestSeq,
                            true);
                case REVIEW ->
                    guard.review(
                            request,
                            decision,
                            requestSeq,
                            approved -> runQuery(steps, sql, decision.mask(), requestSeq),
                            reason -> guard.raise(
                                    new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, reason),
                                    requestSeq,
                                    true));
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

    /** Runs an allowed Query: one Parse/Bind/Describe/Execute per statement, one Sync after the last. */
    private void runQuery(List<Step> steps, String sql, List<MaskRule> masks, long requestSeq) {
        boolean[] copyDetectors = new boolean[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            StatementGuard.Refusal refused =
                    guard.copyRefusal(stepMasks, step.statement().text());
            if (refused != null) {
                guard.raise(refused, requestSeq, true); // nothing of the Query reaches the backend
                return;
            }
            copyDetectors[i] = guard.copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        }
        book.forgetUnnamed();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            SqlStatement st = step.statement();
            int shift = st.offset() == 0 ? 0 : sql.codePointCount(0, st.offset());
            List<MaskRule> stepMasks = step.masks().isEmpty() ? masks : union(masks, step.masks());
            StatementInfo info = step.decided().get(0);
            StatementBook.Portal portal =
                    new StatementBook.Portal(st.text(), null, null, stepMasks, requestSeq, false, replies.syncsSent);
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
            replies.forward(PgMessages.parse("", st.text()), parse);
            replies.forward(UNNAMED_BIND, bind);
            replies.forward(UNNAMED_DESCRIBE, describe);
            replies.forward(UNNAMED_EXECUTE, exec);
        }
        Expect sync = replies.sync();
        replies.expects.add(sync);
        if (steps.size() == 1
                && "copy".equals(new SqlCommand.Tokens(steps.get(0).statement().text(), scs).word())) {
            // without a Sync the backend keeps its replies buffered: Flush asks for them (and is
            // ignored in copy-in); the Sync goes once the backend shows it is not (or no longer) in copy-in
            toBackend.add(PgMessages.flush());
            replies.copySync = PgMessages.sync();
        } else {
            toBackend.add(PgMessages.sync());
        }
    }

    /** One message of a converted statement: its errors and notices are masked as its rows are. */
    private static Expect stepExpect(Kind kind, List<MaskRule> masks, StatementInfo info, int shift) {
        Expect e = new Expect(kind);
        e.masks = masks;
        e.info = info;
        e.positionShift = shift;
        return e;
    }

    static final Buffer UNNAMED_BIND = PgMessages.bind("", "");
    private static final Buffer UNNAMED_DESCRIBE = PgMessages.describe(TARGET_PORTAL, "");
    static final Buffer UNNAMED_EXECUTE = PgMessages.execute("", 0);

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
                        command.inner(), null, null, masks, requestSeq, command.hold(), replies.syncsSent);
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

    // ---- extended protocol: the names follow what the backend accepts -------------------------------

    private void onParse(Buffer frame) {
        PgFrontendMessages.Parse parse = PgFrontendMessages.Parse.decode(frame);
        String name = parse.statement();
        if (StatementBook.nameTooLong(name)) {
            guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)),
                    -1,
                    false);
            return;
        }
        if (!name.isEmpty() && book.statementTaken(name)) {
            // PostgreSQL refuses it (42P05); the proxy answers for it so its record stays the backend's
            guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.PREPARE, name, null, -1, false)),
                    -1,
                    false);
            return;
        }
        Expect e = new Expect(Kind.PARSE);
        e.undo(book.parse(name, new StatementBook.Prepared(parse.sql(), parse.parameterTypes())));
        replies.forward(frame, e);
    }

    private void onDescribe(Buffer frame) {
        PgFrontendMessages.Target t = PgFrontendMessages.Target.decode(frame);
        Expect e = new Expect(t.kind() == TARGET_STATEMENT ? Kind.DESCRIBE_STATEMENT : Kind.DESCRIBE_PORTAL);
        e.name = t.name();
        if (t.kind() == TARGET_STATEMENT) {
            StatementBook.Prepared p = book.statement(t.name());
            if (p == null) {
                guard.raise(StatementGuard.unknownStatement(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
        } else {
            StatementBook.Portal p = book.portal(t.name());
            if (p == null) {
                guard.raise(StatementGuard.unknownPortal(t.name()), -1, false);
                return;
            }
            p.describeRequested = true;
            e.portal = p;
        }
        replies.forward(frame, e);
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
        replies.forward(frame, e);
    }

    private void onBind(Buffer frame) {
        Bind bind = Bind.decode(frame);
        if (StatementBook.nameTooLong(bind.portal())) {
            guard.raise(
                    StatementGuard.refusalOf(new SqlCommand(SqlCommand.Verb.DECLARE, bind.portal(), null, -1, false)),
                    -1,
                    false);
            return;
        }
        StatementBook.Prepared prepared = book.statement(bind.statement());
        if (prepared == null) {
            guard.raise(StatementGuard.unknownStatement(bind.statement()), -1, false);
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
            guard.raise(StatementGuard.refusalOf(command), requestSeq, false);
            return;
        }
        // a statement naming a prepared statement or cursor is decided on what it names now: never cached
        guard.decide(command.verb() == SqlCommand.Verb.OTHER, request, requestSeq, decision -> {
            switch (decision.action()) {
                case ALLOW -> allowBind(frame, bind, prepared, step, decision, requestSeq);
                case DENY ->
                    guard.raise(
                            new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, decision.message()),
                            requestSeq,
                            false);
                case REVIEW ->
                    guard.review(
                            request,
                            decision,
                            requestSeq,
                            approved -> allowBind(frame, bind, prepared, step, decision, requestSeq),
                            reason -> guard.raise(
                                    new StatementGuard.Refusal(SQLSTATE_INSUFFICIENT_PRIVILEGE, reason),
                                    requestSeq,
                                    false));
            }
        });
    }

    private void allowBind(
            Buffer frame, Bind bind, StatementBook.Prepared prepared, Step step, Decision decision, long requestSeq) {
        List<MaskRule> masks = step.masks().isEmpty() ? decision.mask() : union(decision.mask(), step.masks());
        StatementGuard.Refusal refused = guard.copyRefusal(masks, prepared.sql);
        if (refused != null) {
            guard.raise(refused, requestSeq, false);
            return;
        }
        StatementBook.Portal portal =
                new StatementBook.Portal(prepared.sql, prepared, bind, masks, requestSeq, false, replies.syncsSent);
        if (step.command().verb() != SqlCommand.Verb.OTHER) {
            portal.command = step.command();
        }
        portal.info = step.decided().get(0);
        portal.copyDetectors = guard.copyVerdict == CopyGuard.Verdict.MASK_DETECTORS;
        Expect e = new Expect(Kind.BIND);
        e.masks = masks;
        e.info = portal.info;
        e.undo(book.bind(bind.portal(), portal));
        replies.forward(frame, e);
    }

    private void onExecute(Buffer frame) {
        PgFrontendMessages.Execute ex = PgFrontendMessages.Execute.decode(frame);
        StatementBook.Portal portal = book.portal(ex.portal());
        if (portal == null) {
            guard.raise(StatementGuard.unknownPortal(ex.portal()), -1, false);
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
            replies.forward(PgMessages.describe(TARGET_PORTAL, ex.portal()), d);
        }
        replies.forward(frame, e);
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
}
