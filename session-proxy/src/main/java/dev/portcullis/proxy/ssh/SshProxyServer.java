package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.auth.TokenValidator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.RejectAllPublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.server.subsystem.SubsystemFactory;
import org.jboss.logging.Logger;

/**
 * The SSH gateway: a MINA SSHD server for agents. Login is {@code <connection>} or
 * {@code <agent>@<connection>} with the agent token as password or keyboard-interactive answer.
 * {@code exec}, {@code shell} and the {@code sftp} subsystem go through {@link ProxiedChannel}; port
 * forwarding, agent forwarding and X11 are refused by a deny-all forwarding filter. Sessions end at
 * their connection's {@code maxSessionDuration}; more than {@code max-connections} are disconnected.
 */
public final class SshProxyServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SshProxyServer.class);
    static final AttributeKey<SshAgentSession> AGENT_SESSION = new AttributeKey<>();

    /** A login name split into its parts; {@code agent} is empty for a bare {@code <connection>}. */
    record Login(Optional<String> agent, String connection) {
        static Login parse(String username) {
            int at = username.lastIndexOf('@');
            return at < 0
                    ? new Login(Optional.empty(), username)
                    : new Login(Optional.of(username.substring(0, at)), username.substring(at + 1));
        }
    }

    private static final AttributeKey<Boolean> OVER_LIMIT = new AttributeKey<>();
    /** The session holds a slot of {@code max-unauthenticated} (from connect to login). */
    private static final AttributeKey<Boolean> PRE_AUTH = new AttributeKey<>();
    /** The session holds a slot of {@code max-connections} (from login on). */
    private static final AttributeKey<Boolean> COUNTED = new AttributeKey<>();

    private static final AttributeKey<String> REFUSAL = new AttributeKey<>();
    private static final long REFUSED_LINGER_MILLIS = 2_000;

    private static final String PROTOCOL = "ssh";
    /** The longest token looked at (as PostgreSQL's portcullis.pg.max-password-message): larger is refused unread. */
    static final int MAX_TOKEN_LENGTH = 16_384;

    private final SshGateway gw;
    private final TargetConnector targets;
    private final AtomicInteger open = new AtomicInteger();
    /** Ends sessions at their connection's maxSessionDuration. */
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ssh-session-timers").daemon().unstarted(r));

    private final SshServer server;
    /** The application's class loader: MINA's I/O threads have another one, and the app's beans need it. */
    private final ClassLoader appLoader = Thread.currentThread().getContextClassLoader();

    public SshProxyServer(SshGateway gw) {
        this.gw = gw;
        this.targets = new TargetConnector(gw.config().ssh().backendConnectTimeout());
        server = SshServer.setUpDefaultServer();
        server.setHost(gw.config().ssh().host());
        server.setPort(gw.config().ssh().port());
        server.setKeyPairProvider(
                new SimpleGeneratorHostKeyProvider(Path.of(gw.config().ssh().hostKeyFile())));
        server.setCipherFactories(TargetConnector.CIPHERS);
        PasswordAuthenticator passwords = (user, token, session) -> {
            Thread t = Thread.currentThread();
            ClassLoader before = t.getContextClassLoader();
            t.setContextClassLoader(appLoader);
            try {
                return authenticate(user, token, session);
            } finally {
                t.setContextClassLoader(before);
            }
        };
        server.setPasswordAuthenticator(passwords);
        server.setKeyboardInteractiveAuthenticator(new TokenPrompt(passwords));
        server.setPublickeyAuthenticator(RejectAllPublickeyAuthenticator.INSTANCE);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        // -L/-W: decided by policy and relayed through the target; -R, agent forwarding and X11: refused
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setServiceFactories(ReasonedConnectionService.FACTORIES); // channel-open refusals say why
        server.setChannelFactories(
                List.of(ReadOnlyChannelSession.FACTORY, ProxiedTcpipChannel.factory(gw, targets, appLoader)));
        server.setSubsystemFactories(
                gw.config().ssh().subsystems().contains("sftp")
                        ? List.of(new SubsystemFactory() {
                            @Override
                            public String getName() {
                                return "sftp";
                            }

                            @Override
                            public Command createSubsystem(ChannelSession channel) {
                                return new ProxiedChannel(
                                        gw, targets, new ProxiedChannel.SshRequest("sftp", ""), appLoader);
                            }
                        })
                        : List.of());
        server.setCommandFactory((channel, command) ->
                new ProxiedChannel(gw, targets, new ProxiedChannel.SshRequest("exec", command), appLoader));
        server.setShellFactory(
                channel -> new ProxiedChannel(gw, targets, new ProxiedChannel.SshRequest("shell", ""), appLoader));
        CoreModuleProperties.AUTH_TIMEOUT.set(server, gw.config().ssh().loginTimeout());
        long idle = gw.config().ssh().idleTimeout().toMillis();
        if (idle > 0) {
            CoreModuleProperties.IDLE_TIMEOUT.set(server, gw.config().ssh().idleTimeout());
        }
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                if (gw.registry().draining()) {
                    refuseAfterBanner(session, "Portcullis: the proxy is shutting down; connect again");
                    return;
                }
                // unauthenticated connections have a budget of their own: idle sockets cannot take logged-in slots
                int max = gw.config().ssh().maxUnauthenticated();
                if (!gw.registry().tryOpenUnauthenticated(PROTOCOL, max)) {
                    LOG.debugf(
                            "SSH connection from %s refused: %d unauthenticated connections open (max-unauthenticated)",
                            session.getIoSession().getRemoteAddress(), max);
                    refuseAfterBanner(session, "Portcullis: too many unauthenticated connections");
                    return;
                }
                session.setAttribute(PRE_AUTH, Boolean.TRUE);
            }

            @Override
            public void sessionPeerIdentificationReceived(Session session, String version, List<String> extraLines) {
                String refusal = session.getAttribute(REFUSAL);
                if (refusal != null) {
                    // after the identification exchange, before any key exchange: the client shows the reason
                    refuse(session, refusal);
                }
            }

            @Override
            public void sessionClosed(Session session) {
                if (session.removeAttribute(PRE_AUTH) != null) {
                    gw.registry().unauthenticatedClosed(PROTOCOL);
                }
                if (session.removeAttribute(COUNTED) != null) {
                    open.decrementAndGet();
                }
                SshAgentSession s = session.getAttribute(AGENT_SESSION);
                if (s != null) {
                    s.ended("client disconnected");
                }
            }
        });
    }

    /**
     * Marks a connection to be refused: a DISCONNECT before the server's identification line would be garbage to
     * the client, so it goes out once the client identified itself; a client that stays silent is closed soon.
     */
    private void refuseAfterBanner(Session session, String message) {
        session.setAttribute(OVER_LIMIT, Boolean.TRUE);
        session.setAttribute(REFUSAL, message);
        timers.schedule(() -> session.close(true), REFUSED_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void refuse(Session session, String message) {
        try {
            session.disconnect(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, message);
        } catch (IOException e) {
            session.close(true);
        }
    }

    /**
     * At login: the session leaves the unauthenticated budget for a slot of {@code max-connections}; false (and
     * disconnected) when every slot is taken.
     */
    private boolean countLogin(ServerSession session) {
        if (session.getAttribute(COUNTED) != null) {
            return true;
        }
        if (session.removeAttribute(PRE_AUTH) != null) {
            gw.registry().unauthenticatedClosed(PROTOCOL);
        }
        if (open.incrementAndGet() > gw.config().ssh().maxConnections()) {
            open.decrementAndGet();
            LOG.warnf(
                    "SSH login from %s refused: %d connections open (max-connections)",
                    session.getClientAddress(), gw.config().ssh().maxConnections());
            refuse(session, "Portcullis: too many connections");
            return false;
        }
        session.setAttribute(COUNTED, Boolean.TRUE);
        return true;
    }

    public void start() throws IOException {
        server.start();
        LOG.infof("SSH gateway listening on %s:%d", gw.config().ssh().host(), port());
    }

    public int port() {
        return server.getPort();
    }

    /** Password and keyboard-interactive: the password is the agent token. Blocking (JWKS). */
    private boolean authenticate(String username, String token, ServerSession session) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            // before authentication nothing large is parsed: an agent token is a few kB
            LOG.infof("SSH login refused: a token of more than %d characters", MAX_TOKEN_LENGTH);
            return false;
        }
        Login login = Login.parse(username);
        Optional<Connection> conn =
                gw.connections().find(login.connection()).filter(c -> c.type() == ConnectionType.SSH);
        if (conn.isEmpty()) {
            LOG.infof("SSH login refused: no ssh connection named %s", login.connection());
            return false;
        }
        if (Boolean.TRUE.equals(session.getAttribute(OVER_LIMIT))) {
            return false;
        }
        if (gw.config().events().refuseWhenUnrecorded() && !gw.events().canRecord()) {
            LOG.warnf("SSH login to %s refused: session events cannot be recorded", login.connection());
            return false;
        }
        if (!gw.registry().awaitCutOffs(gw.config().kafka().killSwitchWait())) {
            LOG.warnf("SSH login to %s refused: the kill switch's cut-offs are not rebuilt yet", login.connection());
            return false;
        }
        AgentIdentity identity;
        try {
            identity = gw.tokens()
                    .validate(
                            token, conn.get().name(), AccessLevel.ids(conn.get().accessLevels()));
        } catch (TokenValidator.InvalidTokenException e) {
            LOG.infof("SSH login to %s refused: %s", login.connection(), e.getMessage());
            return false;
        }
        if (gw.registry()
                .cutOff(identity.agent(), identity.issuedAt(), conn.get().name())) {
            LOG.infof(
                    "SSH login to %s refused: the token predates the kill switch for agent %s",
                    login.connection(), identity.agent());
            return false;
        }
        if (login.agent().isPresent() && !login.agent().get().equals(identity.agent())) {
            LOG.infof(
                    "SSH login to %s refused: user names agent %s but the token is %s's",
                    login.connection(), login.agent().get(), identity.agent());
            return false;
        }
        if (!countLogin(session)) {
            return false;
        }
        if (session.getAttribute(AGENT_SESSION) == null) {
            SshAgentSession s = new SshAgentSession(gw, session, identity, conn.get());
            session.setAttribute(AGENT_SESSION, s);
            s.started();
            java.time.Duration max = conn.get().maxSessionDuration();
            if (max != null && !max.isZero() && !max.isNegative()) {
                timers.schedule(
                        () -> s.terminate("the session reached maxSessionDuration " + max),
                        max.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        timers.shutdownNow();
        server.stop(true);
        targets.close();
    }
}
