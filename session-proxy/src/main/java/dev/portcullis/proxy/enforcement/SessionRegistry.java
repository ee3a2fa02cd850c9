package dev.portcullis.proxy.enforcement;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/** Live sessions of all protocols: connection limits and the kill switch. */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class);

    private final Map<String, LiveSession> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();

    /** Counts a new client connection; false when {@code max} are open already. */
    public boolean tryOpenConnection(int max) {
        while (true) {
            int n = connections.get();
            if (n >= max) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int openConnections() {
        return connections.get();
    }

    public void register(LiveSession s) {
        sessions.put(s.id(), s);
    }

    public void unregister(LiveSession s) {
        sessions.remove(s.id());
    }

    public List<LiveSession> sessions() {
        return List.copyOf(sessions.values());
    }

    /** Ends every live session of an agent (optionally only on one connection). Returns how many. */
    public int terminateAgent(String agent, String connection, String reason) {
        int n = 0;
        for (LiveSession s : sessions.values()) {
            if (s.agent().equals(agent) && (connection == null || connection.equals(s.connection()))) {
                s.terminate(reason);
                n++;
            }
        }
        if (n > 0) {
            LOG.infof("terminated %d session(s) of agent %s: %s", n, agent, reason);
        }
        return n;
    }
}
