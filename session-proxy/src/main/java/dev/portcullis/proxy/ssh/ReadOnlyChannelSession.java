package dev.portcullis.proxy.ssh;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Map;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.channel.PtyMode;
import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.server.channel.ChannelSession;
import org.jboss.logging.Logger;

/**
 * A session channel that refuses, at the SSH level, what a {@code read} grant may not ask for: a PTY, an
 * interactive shell and {@code env} requests (docs/architecture.md "SSH"). A read grant runs single commands the
 * policy has read in full; a terminal would let it type what no decision saw, and an environment variable
 * ({@code LD_PRELOAD}, {@code BASH_ENV}, …) would change what a decided command does. The client is told by a
 * channel-request failure ({@code PTY allocation request failed}, {@code shell request failed}); the refusal is
 * recorded. Other levels get MINA's channel unchanged.
 */
final class ReadOnlyChannelSession extends ChannelSession {

    private static final Logger LOG = Logger.getLogger(ReadOnlyChannelSession.class);

    static final ChannelFactory FACTORY = new ChannelFactory() {
        @Override
        public String getName() {
            return "session";
        }

        @Override
        public org.apache.sshd.common.channel.Channel createChannel(Session session) {
            return new ReadOnlyChannelSession();
        }
    };

    private ReadOnlyChannelSession() {
        super(DEFAULT_HANDLERS);
    }

    /** The agent session when its grant is read (an unknown level counts as read), else null. */
    private SshAgentSession readOnly() {
        SshAgentSession s = getSession().getAttribute(SshProxyServer.AGENT_SESSION);
        if (s == null) {
            return null;
        }
        AccessLevel level = AccessLevel.fromId(s.identity.access()).orElse(AccessLevel.READ);
        return level == AccessLevel.READ ? s : null;
    }

    private RequestHandler.Result refuse(SshAgentSession s, String kind, String what) {
        LOG.infof("SSH %s request refused: the token grants read access only", kind);
        s.emit(
                EventTypes.SESSION_REQUEST,
                new JsonObject()
                        .put("kind", kind)
                        .put("command", "")
                        .put("refused", what + " is refused under a read grant (single read-only commands only)"));
        return RequestHandler.Result.ReplyFailure;
    }

    @Override
    protected RequestHandler.Result handlePtyReqParsed(
            String term, int cols, int rows, int width, int height, Map<PtyMode, Integer> modes) throws IOException {
        SshAgentSession s = readOnly();
        return s != null
                ? refuse(s, "pty", "a terminal")
                : super.handlePtyReqParsed(term, cols, rows, width, height, modes);
    }

    @Override
    protected RequestHandler.Result handleEnvParsed(String name, String value) throws IOException {
        SshAgentSession s = readOnly();
        // the variable's value is not recorded: SendEnv may carry anything
        return s != null ? refuse(s, "env", "setting " + name) : super.handleEnvParsed(name, value);
    }

    @Override
    protected RequestHandler.Result handleShellParsed(String request) throws IOException {
        SshAgentSession s = readOnly();
        return s != null ? refuse(s, "shell", "an interactive shell") : super.handleShellParsed(request);
    }
}
