package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.BackendAuth;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.Credentials;
import dev.portcullis.contracts.connections.SessionLimits;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.connection.Targets;
import dev.portcullis.proxy.pg.catalog.PgCatalogCache;
import dev.portcullis.proxy.pg.codec.PgBackendAuthenticator;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The session's link to the target database: connect (TLS when the connection asks for it), the backend's
 * startup and authentication with the access level's credential and {@link BackendStartup} parameters, the
 * proxy's own queries on it (the read-role audit, the catalog load) and cancel. Runs on the session's event loop.
 */
final class PgBackendLink {

    /** The session's category: what is logged for a session is logged under it. */
    private static final Logger LOG = Logger.getLogger(PgSession.class);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PgSession s;
    private PgFrameDecoder backendDecoder;
    private PgBackendAuthenticator backendAuth;
    private int backendPid;
    private int backendSecret;
    /** The cancel key the client was given (the backend's stays with the proxy). */
    int ownPid;

    int ownSecret;
    /** A query of the proxy's own in flight on the backend (catalog load, read-role audit): gets its answer. */
    private SideAnswer sideAnswer;
    /** The backend credential of the session's access level. */
    private Credentials credentials;

    PgBackendLink(PgSession session) {
        this.s = session;
    }

    void connectBackend() {
        s.phase = PgSession.Phase.CONNECTING;
        Connection conn = s.connection;
        // the credentials of the level the token grants: one block for all, or a read-only role for read
        Credentials cred = Targets.credentials(conn, s.identity.access()).orElse(null);
        if (cred == null) {
            LOG.warnf(
                    "session %s: connection %s has no credentials for access %s",
                    s.id, conn.name(), s.identity.access());
            s.fatal(SQLSTATE_CANNOT_CONNECT, "connection \"" + conn.name() + "\" has no credentials for this access");
            return;
        }
        s.gw.vertx()
                .<char[]>executeBlocking(() -> Targets.readPassword(conn, cred), false)
                .compose(password -> {
                    backendAuth = new PgBackendAuthenticator(cred.username(), password, acceptedAuth(conn));
                    credentials = cred;
                    s.masking = new PgResultMasking(
                            s.gw.catalogs(),
                            s.gw.masker(),
                            new PgCatalogCache.Key(
                                    conn.name(), cred.username(), s.startupParameters.get("search_path")),
                            System::nanoTime);
                    if (!Targets.tls(conn)) {
                        return s.gw.backendClient().connect(Targets.port(conn), Targets.host(conn));
                    }
                    return s.gw.vertx()
                            .executeBlocking(() -> PgBackendTls.peer(conn), false)
                            .compose(peer -> s.gw.backendTls().client(conn).connect(peer));
                })
                .compose(socket -> Targets.tls(conn) ? startBackendTls(socket, conn) : Future.succeededFuture(socket))
                .onComplete(s.session.wrap(ar -> {
                    if (ar.failed()) {
                        LOG.warnf(
                                "cannot reach the target at %s: %s",
                                conn.address(), ar.cause().getMessage());
                        s.fatal(
                                SQLSTATE_CANNOT_CONNECT,
                                "could not connect to the target of connection \"" + conn.name() + "\"");
                        return;
                    }
                    s.backend = ar.result();
                    if (s.phase == PgSession.Phase.CLOSED) {
                        s.backend.close();
                        return;
                    }
                    backendDecoder = new PgFrameDecoder(
                            PgFrameDecoder.State.MESSAGES, 8, s.gw.config().pg().maxMessageSize(), new BackendFrames());
                    s.backend.handler(s.session.wrap(data -> {
                        backendDecoder.feed(data);
                        if (s.pumpAfterBackend) {
                            s.pumpAfterBackend = false;
                            s.pump(); // a COPY's Sync went out: the client's next messages may follow
                        }
                        s.flush();
                    }));
                    s.backend.closeHandler(s.session.wrap(v -> {
                        if (s.phase != PgSession.Phase.CLOSED) {
                            s.fatal(SQLSTATE_CONNECTION_FAILURE, "the target database closed the connection");
                        }
                    }));
                    s.backend.exceptionHandler(s.session.wrap(e -> LOG.debugf("backend error: %s", e.getMessage())));
                    // UTF8 pinned, read-only for read, the session limits; the client's display settings
                    BackendStartup.Result params = BackendStartup.parameters(
                            conn, cred, s.access(), s.startupParameters, BackendStartup.defaults(s.sessionLimits()));
                    if (params.refused()) {
                        s.fatal(params.refusal().sqlstate(), params.refusal().message());
                        return;
                    }
                    s.phase = PgSession.Phase.BACKEND_AUTH;
                    s.toBackend.add(PgMessages.startupMessage(params.parameters()));
                    s.flush();
                }));
    }

    /** The connection's {@code backendAuth} as the authenticator names the methods. */
    static Set<PgBackendAuthenticator.Method> acceptedAuth(Connection conn) {
        Set<PgBackendAuthenticator.Method> out = EnumSet.noneOf(PgBackendAuthenticator.Method.class);
        for (BackendAuth a : conn.backendAuth()) {
            out.add(
                    switch (a) {
                        case SCRAM_SHA_256 -> PgBackendAuthenticator.Method.SCRAM_SHA_256;
                        case MD5 -> PgBackendAuthenticator.Method.MD5;
                        case PASSWORD -> PgBackendAuthenticator.Method.PASSWORD;
                        case NONE -> PgBackendAuthenticator.Method.NONE;
                    });
        }
        return out;
    }

    /** SSLRequest, then TLS with the chain and the host name checked ({@link PgBackendTls}). */
    private Future<NetSocket> startBackendTls(NetSocket socket, Connection conn) {
        io.vertx.core.Promise<NetSocket> p = io.vertx.core.Promise.promise();
        socket.handler(b -> {
            socket.handler(null);
            if (b.length() != 1 || b.getByte(0) != 'S') {
                socket.close();
                p.tryFail("the target does not accept TLS");
                return;
            }
            socket.upgradeToSsl(PgBackendTls.serverName(conn)).onComplete(ar -> {
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

    void cancelBackend() {
        if (s.backend == null || s.connection == null) {
            return;
        }
        Connection conn = s.connection;
        int pid = backendPid;
        int secret = backendSecret;
        // a CancelRequest carries no secret of the proxy's (PostgreSQL reads it before any TLS or authentication)
        s.gw.backendClient().connect(Targets.port(conn), Targets.host(conn)).onSuccess(c -> {
            c.write(PgMessages.cancelRequest(pid, secret));
            c.end();
        });
        s.recording.emit(EventTypes.SESSION_REQUEST, new JsonObject().put("kind", "cancel"));
    }

    private final class BackendFrames implements PgFrameDecoder.Handler {
        @Override
        public void onStartupPacket(Buffer packet) {}

        @Override
        public void onMessage(byte type, Buffer frame) {
            if (s.phase == PgSession.Phase.CLOSED) {
                return;
            }
            try {
                if (sideAnswer != null && PgCatalogLoad.isPartOfAnswer(type)) {
                    onSideAnswer(type, frame);
                } else if (s.phase == PgSession.Phase.READY) {
                    s.replies.onBackendMessage(type, frame);
                } else {
                    onBackendStartup(type, frame);
                }
            } catch (PgBackendAuthenticator.AuthenticationException e) {
                // the target did not prove itself, or asked for what the connection does not allow (backendAuth)
                LOG.warnf("target of connection %s refused: %s", s.connection.name(), e.getMessage());
                s.fatal(
                        SQLSTATE_CANNOT_CONNECT,
                        "could not log in to the target of connection \"" + s.connection.name() + "\": "
                                + e.getMessage());
            } catch (PgProtocolException e) {
                LOG.warnf("backend protocol problem: %s", e.getMessage());
                s.fatal(SQLSTATE_CONNECTION_FAILURE, "lost step with the target database");
            }
        }

        @Override
        public void onFramingError(PgProtocolException error) {
            LOG.warnf("backend framing error: %s", error.getMessage());
            s.fatal(SQLSTATE_CONNECTION_FAILURE, "the target database sent an invalid message");
        }
    }

    private void onBackendStartup(byte type, Buffer frame) {
        switch (type) {
            case AUTHENTICATION -> {
                Buffer reply = backendAuth.onAuthentication(PgBackendMessages.Authentication.decode(frame));
                if (reply != null) {
                    s.toBackend.add(reply);
                }
                if (backendAuth.isDone()) {
                    backendAuth = null;
                    s.phase = PgSession.Phase.BACKEND_STARTUP;
                    s.toClient.add(PgMessages.authenticationRequest(AUTH_OK));
                }
            }
            case ERROR_RESPONSE -> {
                PgBackendMessages.Fields f = PgBackendMessages.Fields.decode(frame);
                LOG.warnf("target refused the session: %s %s", f.sqlstate(), f.message());
                if (s.phase == PgSession.Phase.BACKEND_AUTH) {
                    s.fatal(
                            SQLSTATE_CANNOT_CONNECT,
                            "could not log in to the target of connection \"" + s.connection.name() + "\"");
                } else {
                    s.toClient.add(frame);
                    s.fatal(f.sqlstate(), f.message());
                }
            }
            case BACKEND_KEY_DATA -> {
                PgBackendMessages.BackendKeyData k = PgBackendMessages.BackendKeyData.decode(frame);
                backendPid = k.pid();
                backendSecret = k.secret();
                do {
                    ownPid = RANDOM.nextInt(Integer.MAX_VALUE - 1) + 1;
                    ownSecret = RANDOM.nextInt();
                } while (s.gw.cancelKeys().putIfAbsent(PgGateway.cancelKey(ownPid, ownSecret), s) != null);
                s.toClient.add(PgMessages.backendKeyData(ownPid, ownSecret));
            }
            case READY_FOR_QUERY -> {
                s.txStatus = frame.getByte(5);
                // the client is told ReadyForQuery once the read role passed its audit and the catalog is there;
                // its messages wait in the inbox
                auditReadRole(() -> loadCatalog(() -> {
                    s.toClient.add(PgMessages.readyForQuery(s.txStatus));
                    s.becomeReady();
                }));
            }
            case NEGOTIATE_PROTOCOL_VERSION -> {}
            case PARAMETER_STATUS -> {
                s.onParameterStatus(frame);
                if (s.phase != PgSession.Phase.CLOSED) {
                    s.toClient.add(frame);
                }
            }
            default -> s.toClient.add(frame); // NoticeResponse
        }
    }

    /** The answer to a query of the proxy's own: null while it goes on, what to run next once it ended. */
    @FunctionalInterface
    private interface SideAnswer {
        Runnable onMessage(byte type, Buffer frame);
    }

    /** Sends a query of the proxy's own while the backend is idle; client messages wait until it is answered. */
    private void sideQuery(Buffer query, SideAnswer answer) {
        s.busy = true;
        sideAnswer = answer;
        s.toBackend.add(query);
        s.flush();
    }

    private void onSideAnswer(byte type, Buffer frame) {
        Runnable next = sideAnswer.onMessage(type, frame);
        if (next != null) {
            if (type == READY_FOR_QUERY) {
                s.txStatus = frame.getByte(5);
            }
            sideAnswer = null;
            s.busy = false;
            next.run();
        }
    }

    /**
     * A read session's credential must not be able to write (docs/architecture.md "Connections"): audited on the
     * session's own backend before the client is served, unless a pass of it is recent. A refusal ends the session,
     * naming the privilege.
     */
    void auditReadRole(Runnable then) {
        if (s.access() != AccessLevel.READ || !s.gw.audits().needsAudit(s.connection, credentials)) {
            then.run();
            return;
        }
        SessionLimits defaults = BackendStartup.defaults(s.sessionLimits());
        long tempFileLimit = s.connection.sessionLimits().orElse(defaults).tempFileLimitKb();
        ReadRoleAuditReply reply = new ReadRoleAuditReply(tempFileLimit);
        sideQuery(ReadRoleAuditReply.query(), (type, frame) -> {
            ReadRoleAudit.Verdict verdict = reply.onMessage(type, frame);
            if (verdict == null) {
                return null;
            }
            s.gw.audits().record(s.connection, credentials, verdict);
            if (verdict.passed()) {
                return then;
            }
            LOG.warnf(
                    "session %s: the read credential of connection %s can write: %s",
                    s.id, s.connection.name(), String.join("; ", verdict.problems()));
            return () ->
                    s.fatal(ReadRoleAudit.SQLSTATE_REFUSED, ReadRoleAudit.refusalMessage(s.connection.name(), verdict));
        });
    }

    /**
     * Runs {@code then} once the session has a current catalog snapshot: at once when it has (or the shared cache
     * has) one, else after {@link PgCatalogLoad} ran on the backend. Client messages wait meanwhile.
     */
    void loadCatalog(Runnable then) {
        if (!s.masking.needsLoad()) {
            then.run();
            return;
        }
        PgCatalogLoad load = new PgCatalogLoad();
        long generation = s.masking.generation();
        sideQuery(PgCatalogLoad.query(), (type, frame) -> {
            PgCatalogLoad.Result result = load.onMessage(type, frame);
            if (result == null) {
                return null;
            }
            if (!s.masking.loaded(result, generation)) {
                // fail closed: with no catalog nothing is read-only by its functions and masking is strictest
                LOG.warnf(
                        "session %s: catalog of connection %s not loaded: %s",
                        s.id, s.connection.name(), result.failure());
                s.toClient.add(PgMessages.noticeResponse(
                        "01000",
                        "Portcullis could not read the target's catalog: function calls are not read-only"
                                + " and results are masked strictly for now"));
            }
            return then;
        });
    }
}
