package dev.portcullis.proxy.ssh;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.ServiceFactory;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.ValidateUtils;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerConnectionService;
import org.apache.sshd.server.session.ServerConnectionServiceFactory;
import org.apache.sshd.server.session.ServerUserAuthServiceFactory;

/**
 * MINA's connection service, except that a refused channel open carries the proxy's reason: MINA keeps only the
 * reason code of a failed open and sends "Generic error while opening channel: N" as its description, so an agent's
 * {@code ssh -W}/{@code -L} could not tell a policy denial from a write-ahead refusal. A channel leaves its message
 * with {@link #reason} before it fails its open future; OpenSSH prints it ("open failed: &lt;reason code&gt;:
 * &lt;message&gt;").
 */
final class ReasonedConnectionService extends ServerConnectionService {

    /** The agent's channel id (our recipient) → the message for its open failure. */
    private static final AttributeKey<Map<Long, String>> REASONS = new AttributeKey<>();

    /** The server's services: MINA's user authentication, and this connection service. */
    static final List<ServiceFactory> FACTORIES = List.of(ServerUserAuthServiceFactory.INSTANCE, new Factory());

    private ReasonedConnectionService(AbstractServerSession session) throws IOException {
        super(session);
    }

    /** The message the open failure of the agent's channel {@code recipient} carries, instead of MINA's. */
    static void reason(Session session, long recipient, String message) {
        session.computeAttributeIfAbsent(REASONS, k -> new ConcurrentHashMap<>())
                .put(recipient, message);
    }

    @Override
    protected IoWriteFuture sendChannelOpenFailure(
            Buffer buffer, long sender, int reasonCode, String message, String lang) throws IOException {
        Map<Long, String> reasons = getSession().getAttribute(REASONS);
        String reason = reasons == null ? null : reasons.remove(sender);
        return super.sendChannelOpenFailure(buffer, sender, reasonCode, reason == null ? message : reason, lang);
    }

    private static final class Factory extends ServerConnectionServiceFactory {
        @Override
        public Service create(Session session) throws IOException {
            AbstractServerSession server = ValidateUtils.checkInstanceOf(
                    session, AbstractServerSession.class, "Not a server session: %s", session);
            ReasonedConnectionService service = new ReasonedConnectionService(server);
            service.addPortForwardingEventListenerManager(this);
            return service;
        }
    }
}
