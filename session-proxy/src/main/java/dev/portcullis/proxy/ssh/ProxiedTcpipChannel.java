package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.events.SessionData;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.ChannelOutputStream;
import org.apache.sshd.common.channel.ChannelPipedInputStream;
import org.apache.sshd.common.channel.ChannelPipedOutputStream;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.channel.AbstractServerChannel;
import org.jboss.logging.Logger;

/**
 * A {@code direct-tcpip} channel (what {@code ssh -L} and {@code ssh -W} open), decided by policy
 * with request kind {@code port_forward} and, when allowed, relayed through the <em>target</em>
 * (a {@code direct-tcpip} channel of the proxy's own session to the target), never opened from
 * the proxy's network position. Denied: the channel open fails with "administratively prohibited"
 * and the policy's reason. Allowed, it opens only once its request and decision are recorded (write-ahead,
 * docs/architecture.md "Delivery"); when they cannot be, the open fails with "resource shortage" and
 * {@link WriteAhead#REFUSAL}. Remote forwarding ({@code -R}) stays refused (not built).
 */
final class ProxiedTcpipChannel extends AbstractServerChannel {

    private static final Logger LOG = Logger.getLogger(ProxiedTcpipChannel.class);

    /** Makes these channels for the server, in place of MINA's local {@code DirectTcpipFactory}. */
    static ChannelFactory factory(SshGateway gw, TargetConnector targets, ClassLoader appLoader) {
        return new ChannelFactory() {
            @Override
            public String getName() {
                return "direct-tcpip";
            }

            @Override
            public Channel createChannel(Session session) {
                return new ProxiedTcpipChannel(gw, targets, appLoader);
            }
        };
    }

    private final SshGateway gw;
    private final TargetConnector targets;
    private final ClassLoader appLoader;
    private ChannelPipedInputStream fromAgent;
    private ChannelPipedOutputStream fromAgentSink;
    private volatile ChannelDirectTcpip target;
    private volatile ClientSession targetSession;
    private final AtomicLong up = new AtomicLong();

    private ProxiedTcpipChannel(SshGateway gw, TargetConnector targets, ClassLoader appLoader) {
        super("", java.util.List.of(), null);
        this.gw = gw;
        this.targets = targets;
        this.appLoader = appLoader;
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
        String host = buffer.getString();
        int port = buffer.getInt();
        String originHost = buffer.getString();
        int originPort = buffer.getInt();
        OpenFuture f = new DefaultOpenFuture(this, this);
        fromAgent = new ChannelPipedInputStream(this, getLocalWindow());
        fromAgentSink = new ChannelPipedOutputStream(fromAgent);
        SshAgentSession s = getSession().getAttribute(SshProxyServer.AGENT_SESSION);
        Runnable work = () -> {
            Thread.currentThread().setContextClassLoader(appLoader);
            try {
                open(s, host, port, originHost, originPort);
                signalChannelOpenSuccess();
                f.setOpened();
            } catch (SshChannelOpenException e) {
                fail(f, e);
            } catch (Exception e) {
                LOG.infof(
                        "SSH forwarding to %s:%d failed: %s",
                        host, port, e.getClass().getSimpleName());
                fail(
                        f,
                        new SshChannelOpenException(
                                getChannelId(),
                                SshConstants.SSH_OPEN_CONNECT_FAILED,
                                "Portcullis: cannot open " + host + ":" + port + " through the target"));
            }
        };
        Thread.ofVirtual().name("ssh-forward").start(s == null ? work : s.context.wrap(work));
        return f;
    }

    /** Fails the open with {@code e}'s reason code and its message (which MINA alone would not send). */
    private void fail(OpenFuture f, SshChannelOpenException e) {
        ReasonedConnectionService.reason(getSession(), getRecipient(), e.getMessage());
        f.setException(e);
        close(true);
    }

    private void open(SshAgentSession s, String host, int port, String originHost, int originPort) throws Exception {
        if (s == null) {
            throw refused("not authenticated");
        }
        JsonObject request = new JsonObject()
                .put("kind", "port_forward")
                .put("command", host + ":" + port)
                .put("host", host)
                .put("port", port);
        long requestSeq =
                s.emit(EventTypes.SESSION_REQUEST, request.copy().put("originator", originHost + ":" + originPort));
        Decision d = s.decide(request, requestSeq);
        if (d.action() != Decision.Action.ALLOW) {
            // a review cannot hold a channel open request for minutes: reviews count as refusals here
            throw refused(
                    d.action() == Decision.Action.REVIEW
                            ? "forwarding needs review, which SSH channels cannot wait for"
                            : d.message());
        }
        // write-ahead, as for exec and shell: the request and its decision are recorded before the tunnel opens
        if (!WriteAhead.awaitBlocking(gw.events(), s.recorder, requestSeq, s.recorder.lastSeq())) {
            throw new SshChannelOpenException(
                    getChannelId(), SshConstants.SSH_OPEN_RESOURCE_SHORTAGE, "Portcullis: " + WriteAhead.REFUSAL);
        }
        ClientSession session;
        try {
            session = targets.open(s.connection, s.identity.access());
        } catch (TargetConnector.TargetException e) {
            throw refused(e.getMessage());
        }
        targetSession = session;
        ChannelDirectTcpip ch = session.createDirectTcpipChannel(
                new SshdSocketAddress(originHost, originPort), new SshdSocketAddress(host, port));
        ch.setIn(fromAgent);
        ch.setOut(
                new ChannelOutputStream(this, getRemoteWindow(), LOG_ADAPTER, SshConstants.SSH_MSG_CHANNEL_DATA, true));
        target = ch;
        ch.addCloseFutureListener(cf -> {
            s.emit(
                    EventTypes.SESSION_OUTPUT,
                    SessionData.answering(requestSeq)
                            .put("bytes_from_agent", up.get())
                            .put("elapsed", s.elapsed()));
            close(false);
        });
        ch.open().verify(gw.config().ssh().backendConnectTimeout());
    }

    private SshChannelOpenException refused(String message) {
        return new SshChannelOpenException(
                getChannelId(), SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "Portcullis: " + message);
    }

    private static final org.slf4j.Logger LOG_ADAPTER = org.slf4j.LoggerFactory.getLogger(ProxiedTcpipChannel.class);

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
        up.addAndGet(len);
        fromAgentSink.write(data, off, (int) len);
    }

    @Override
    protected void doWriteExtendedData(byte[] data, int off, long len) throws IOException {
        throw new UnsupportedOperationException("direct-tcpip has no extended data");
    }

    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        fromAgentSink.close();
    }

    @Override
    protected void preClose() {
        ChannelDirectTcpip t = target;
        if (t != null) {
            t.close(false);
        }
        TargetConnector.closeQuietly(targetSession);
        super.preClose();
    }
}
