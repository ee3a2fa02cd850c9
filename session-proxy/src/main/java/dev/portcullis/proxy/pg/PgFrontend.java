package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.codec.PgProtocol.*;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.auth.TokenValidator;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.events.SessionRecorder;
import dev.portcullis.proxy.pg.codec.PgFrontendMessages;
import dev.portcullis.proxy.pg.codec.PgMessages;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The front-end handshake of a session: the startup packet (SSLRequest, GSSENCRequest, CancelRequest, the
 * StartupMessage and protocol negotiation), the Portcullis token as the password, and the login checks (the kill
 * switch's cut-off, the per-agent session cap, {@link BackendStartup#checkClient}). Runs on the session's event loop.
 */
final class PgFrontend {

    /** The session's category: what is logged for a session is logged under it. */
    private static final Logger LOG = Logger.getLogger(PgSession.class);

    private static final String PROTOCOL = "postgres";

    private final PgSession s;
    private boolean sslRequested;
    private boolean gssRequested;

    PgFrontend(PgSession session) {
        this.s = session;
    }

    /**
     * Takes a slot of the pre-authentication budget ({@code portcullis.pg.max-unauthenticated}), or refuses the
     * connection at once as PostgreSQL refuses one over {@code max_connections}: {@code 53300}, FATAL.
     */
    boolean admit() {
        if (s.gw.registry().draining()) {
            // as PostgreSQL during a shutdown: the pod drains, a new session belongs on another one
            s.client.write(PgMessages.errorResponse(
                    "FATAL", SQLSTATE_CANNOT_CONNECT_NOW, "the Portcullis proxy is shutting down; connect again"));
            s.client.close();
            s.session.end("shutting down");
            return false;
        }
        int max = s.gw.config().pg().maxUnauthenticated();
        if (!s.gw.registry().tryOpenUnauthenticated(PROTOCOL, max)) {
            LOG.debugf(
                    "connection from %s refused: %d unauthenticated connections open", s.client.remoteAddress(), max);
            s.client.write(PgMessages.errorResponse(
                    "FATAL",
                    SQLSTATE_TOO_MANY_CONNECTIONS,
                    "sorry, too many unauthenticated connections already (at most " + max
                            + ", portcullis.pg.max-unauthenticated)"));
            s.client.close();
            s.session.end("too many unauthenticated connections");
            return false;
        }
        s.preAuthCounted = true;
        return true;
    }

    /**
     * The token was accepted: the connection leaves the pre-authentication budget for a slot of {@code
     * portcullis.pg.max-connections}, and its messages may be as large as {@code max-message-size}. False (and the
     * session refused) when every slot is taken.
     */
    private boolean authenticated() {
        releasePreAuth();
        if (!s.gw.registry().tryOpenConnection(s.gw.config().pg().maxConnections())) {
            s.fatal(SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already (portcullis.pg.max-connections)");
            return false;
        }
        s.counted = true;
        s.clientDecoder.limitMessages(s.gw.config().pg().maxMessageSize(), "portcullis.pg.max-message-size");
        return true;
    }

    private void releasePreAuth() {
        if (s.preAuthCounted) {
            s.preAuthCounted = false;
            s.gw.registry().unauthenticatedClosed(PROTOCOL);
        }
    }

    /** The session closed: whatever slot it holds is released (once). */
    void releaseSlots() {
        releasePreAuth();
        if (s.counted) {
            s.counted = false;
            s.gw.registry().connectionClosed();
        }
    }

    /** The cut-offs of the kill switch were not rebuilt in time after a start: no login is decided without them. */
    private static final class StartingUp extends RuntimeException {
        StartingUp() {
            super("kill-switch cut-offs not rebuilt yet", null, false, false);
        }
    }

    void onStartup(Buffer packet) {
        if (s.phase != PgSession.Phase.STARTUP) {
            s.fatal(SQLSTATE_PROTOCOL_VIOLATION, "unexpected startup packet");
            return;
        }
        int code = packet.getInt(4);
        if ((code == SSL_REQUEST && sslRequested) || (code == GSSENC_REQUEST && gssRequested)) {
            // as PostgreSQL: each negotiation once; a client repeating it only costs the proxy answers
            s.fatal(SQLSTATE_PROTOCOL_VIOLATION, "encryption negotiation requested twice");
            return;
        }
        switch (code) {
            case SSL_REQUEST -> {
                sslRequested = true;
                if (s.gw.clientTls() && !s.tlsActive && s.clientDecoder.buffered() == 0) {
                    s.client.write(PgMessages.singleByte('S'));
                    s.client.pause();
                    s.client.upgradeToSsl().onComplete(s.session.wrap(ar -> {
                        if (ar.failed()) {
                            LOG.debugf("TLS handshake failed: %s", ar.cause().getMessage());
                            s.onClosed();
                        } else {
                            s.tlsActive = true;
                            s.client.resume();
                        }
                    }));
                } else {
                    s.client.write(PgMessages.singleByte('N'));
                }
            }
            case GSSENC_REQUEST -> {
                gssRequested = true;
                s.client.write(PgMessages.singleByte('N'));
            }
            case CANCEL_REQUEST -> {
                PgFrontendMessages.CancelRequest cancel = PgFrontendMessages.CancelRequest.decode(packet);
                PgSession target = s.gw.cancelKeys().get(PgGateway.cancelKey(cancel.processId(), cancel.secretKey()));
                if (target != null) {
                    target.context.runOnContext(target.session.wrap(v -> target.link.cancelBackend()));
                }
                s.client.close();
                s.phase = PgSession.Phase.CLOSED;
                releaseSlots();
                s.session.end("cancel request");
            }
            default -> {
                int major = code >>> 16;
                if (major != 3) {
                    s.fatal(
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
        s.startupParameters = startup.parameters();
        List<String> unsupported = new ArrayList<>();
        s.startupParameters.keySet().stream().filter(k -> k.startsWith("_pq_.")).forEach(unsupported::add);
        if ((code & 0xffff) != 0 || !unsupported.isEmpty()) {
            Buffer v = Buffer.buffer()
                    .appendByte(NEGOTIATE_PROTOCOL_VERSION)
                    .appendInt(0)
                    .appendInt(PROTOCOL_3_0)
                    .appendInt(unsupported.size());
            unsupported.forEach(
                    u -> v.appendBytes(u.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0));
            v.setInt(1, v.length() - 1);
            s.toClient.add(v);
        }
        if (s.startupParameters.containsKey("replication")) {
            s.fatal(SQLSTATE_FEATURE_NOT_SUPPORTED, "replication connections are not supported by Portcullis");
            return;
        }
        if (!s.tlsActive && !plaintextAllowed()) {
            s.fatal(
                    SQLSTATE_INVALID_AUTHORIZATION,
                    "Portcullis requires TLS (sslmode=require) for this client address");
            return;
        }
        String database = s.startupParameters.getOrDefault("database", s.startupParameters.get("user"));
        s.connection =
                database == null ? null : s.gw.connections().find(database).orElse(null);
        if (s.connection != null && s.connection.type() != ConnectionType.POSTGRES) {
            s.connection = null;
        }
        java.util.Optional<BackendStartup.Refusal> unserved = BackendStartup.checkClient(s.startupParameters);
        if (unserved.isPresent()) {
            // refused before the token is asked for: an encoding or search_path the proxy cannot read safely
            s.fatal(unserved.get().sqlstate(), unserved.get().message());
            return;
        }
        s.startupParameters = new HashMap<>(s.startupParameters);
        s.startupParameters.put("database", database == null ? "" : database);
        s.clientDecoder.expectMessages();
        // until the token is accepted the one message expected is the password: a token, a few kB
        s.clientDecoder.limitMessages(s.gw.config().pg().maxPasswordMessage(), "portcullis.pg.max-password-message");
        s.phase = PgSession.Phase.AUTHENTICATING;
        s.toClient.add(PgMessages.authenticationRequest(AUTH_CLEARTEXT_PASSWORD));
    }

    private boolean plaintextAllowed() {
        ProxyConfig.Plaintext mode = s.gw.config().pg().plaintext();
        if (mode == ProxyConfig.Plaintext.ANY) {
            return true;
        }
        if (mode == ProxyConfig.Plaintext.NEVER) {
            return false;
        }
        try {
            return s.client.remoteAddress() != null
                    && s.client.remoteAddress().host() != null
                    && InetAddress.getByName(s.client.remoteAddress().host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    void onPassword(byte type, Buffer frame) {
        if (type != PASSWORD_MESSAGE) {
            s.fatal(SQLSTATE_PROTOCOL_VIOLATION, "expected a password message (the Portcullis token)");
            return;
        }
        String token = PgFrontendMessages.PasswordMessage.decode(frame).password();
        String requested = s.startupParameters.get("database");
        s.busy = true;
        Connection conn = s.connection;
        s.gw.vertx()
                .<AgentIdentity>executeBlocking(
                        () -> {
                            if (conn == null) {
                                throw new TokenValidator.InvalidTokenException("unknown connection");
                            }
                            if (!s.gw.registry()
                                    .awaitCutOffs(s.gw.config().kafka().killSwitchWait())) {
                                throw new StartingUp();
                            }
                            return s.gw.tokens().validate(token, conn.name(), AccessLevel.ids(conn.accessLevels()));
                        },
                        false)
                .onComplete(s.session.wrap(ar -> {
                    s.busy = false;
                    if (s.phase == PgSession.Phase.CLOSED) {
                        return;
                    }
                    if (ar.failed() && ar.cause() instanceof StartingUp) {
                        LOG.warnf(
                                "login from %s refused: the kill switch's cut-offs are not rebuilt yet",
                                s.client.remoteAddress());
                        s.fatal(
                                SQLSTATE_CANNOT_CONNECT_NOW,
                                "the Portcullis proxy is starting up (kill-switch state not loaded); try again");
                        return;
                    }
                    if (ar.failed()) {
                        String why = ar.cause().getMessage();
                        LOG.infof(
                                "login from %s refused for connection %s: %s",
                                s.client.remoteAddress(), requested, why);
                        boolean notGranted = conn == null
                                || ar.cause() instanceof TokenValidator.InvalidTokenException e && e.missingScope();
                        if (notGranted) {
                            s.fatal(
                                    SQLSTATE_INVALID_AUTHORIZATION,
                                    "token does not grant access to connection \"" + requested + "\"");
                        } else {
                            s.fatal(
                                    SQLSTATE_INVALID_PASSWORD,
                                    "password authentication failed: invalid or expired Portcullis token");
                        }
                        return;
                    }
                    AgentIdentity verified = ar.result();
                    if (!authenticated()) {
                        return;
                    }
                    if (s.gw.registry().cutOff(verified.agent(), verified.issuedAt(), s.connection.name())) {
                        // a token minted before agent.disabled / grant.revoked is still valid for Keycloak until it
                        // expires
                        LOG.infof(
                                "login from %s refused: the token predates the kill switch for agent %s",
                                s.client.remoteAddress(), verified.agent());
                        s.fatal(
                                SQLSTATE_INVALID_AUTHORIZATION,
                                "access of agent " + verified.agent() + " was ended; get a new token once re-enabled");
                        return;
                    }
                    if (!s.gw.registry()
                            .tryOpenAgentSession(
                                    "postgres",
                                    verified.agent(),
                                    s.gw.config().pg().maxSessionsPerAgent())) {
                        s.fatal(
                                SQLSTATE_TOO_MANY_CONNECTIONS,
                                "too many sessions of agent " + verified.agent() + " (at most "
                                        + s.gw.config().pg().maxSessionsPerAgent()
                                        + ", portcullis.pg.max-sessions-per-agent)");
                        return;
                    }
                    s.agentCounted = true;
                    s.identity = verified;
                    s.recording.start(new SessionRecorder(
                            s.gw.events(),
                            s.id,
                            verified.agent(),
                            s.connection.name(),
                            s.gw.config().review().historySize()));
                    s.session.identify(verified.agent(), s.connection.name());
                    if (!s.gw.events().canRecord() && s.gw.config().events().refuseWhenUnrecorded()) {
                        s.fatal(SQLSTATE_CANNOT_CONNECT, "session recording is unavailable; new sessions are refused");
                        return;
                    }
                    s.link.connectBackend();
                }));
    }
}
