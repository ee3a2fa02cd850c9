package dev.portcullis.proxy.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.Recorded;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.server.session.ServerSession;
import org.junit.jupiter.api.Test;

/** The kill switch's reason is what an SSH session's recording ends with. */
class SshAgentSessionTest {

    private final List<CloudEvent<?>> published = new CopyOnWriteArrayList<>();
    private SshAgentSession session;

    @Test
    void aKillSwitchRecordsItsOwnReasonNotTheDisconnectItCauses() {
        ProxyConfig.Events events =
                stub(ProxyConfig.Events.class, Map.of("enabled", false, "spoolDir", "target/unused-spool"));
        ProxyConfig.Review review = stub(ProxyConfig.Review.class, Map.of("historySize", 10));
        ProxyConfig config = stub(ProxyConfig.class, Map.of("events", events, "review", review));
        EventPublisher publisher = new EventPublisher(config) {
            @Override
            public void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
                published.add(event);
                recorded.recorded(true);
            }

            @Override
            public void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
                publish(topic, key, event, recorded);
            }
        };
        // MINA runs the server's close listener when the session is disconnected; SshProxyServer's
        // listener ends the agent session with "client disconnected". Here it runs at once, the
        // worst case of the race between the two.
        ServerSession server = stub(
                ServerSession.class,
                Map.of(
                        "getClientVersion",
                        "SSH-2.0-OpenSSH_9.2",
                        "getClientAddress",
                        new InetSocketAddress("127.0.0.1", 40000)),
                () -> session.ended("client disconnected"));
        SshGateway gw =
                new SshGateway(config, null, null, null, null, publisher, new SessionRegistry(), null, null, null);
        Connection connection = new Connection(
                "ssh-prod",
                ConnectionType.SSH,
                "127.0.0.1:22",
                null,
                List.of(AccessLevel.READ),
                Map.of(),
                Map.of(),
                null,
                null,
                null);
        AgentIdentity identity = new AgentIdentity(
                "ssh-runner",
                "sub-1",
                List.of(),
                List.of("conn:ssh-prod:read"),
                "read",
                Instant.now().plusSeconds(300),
                Instant.now());
        session = new SshAgentSession(gw, server, identity, connection);
        session.started();

        session.terminate("agent ssh-runner was disabled");

        assertEquals(
                List.of(EventTypes.SESSION_STARTED, EventTypes.SESSION_ENDED),
                published.stream().map(CloudEvent::type).toList());
        assertEquals(
                "agent ssh-runner was disabled",
                ((JsonObject) published.getLast().data()).getString("reason"));
    }

    private static <T> T stub(Class<T> type, Map<String, Object> answers) {
        return stub(type, answers, () -> {});
    }

    /** A stub of {@code type}: named answers, {@code onDisconnect} for {@code disconnect(…)}, defaults otherwise. */
    private static <T> T stub(Class<T> type, Map<String, Object> answers, Runnable onDisconnect) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("disconnect")) {
                onDisconnect.run();
                return null;
            }
            if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
            }
            Class<?> r = method.getReturnType();
            if (r == boolean.class) {
                return false;
            }
            if (r == int.class || r == long.class) {
                return r == int.class ? (Object) 0 : (Object) 0L;
            }
            if (method.getName().equals("toString")) {
                return type.getSimpleName() + " stub";
            }
            return null;
        }));
    }
}
