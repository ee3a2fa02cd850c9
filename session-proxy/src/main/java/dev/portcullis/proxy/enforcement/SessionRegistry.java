package dev.portcullis.proxy.enforcement;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/** Live sessions of all protocols: connection limits and the kill switch. */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class);

    private final Map<String, LiveSession> sessions = new ConcurrentHashMap<>();
    /** When the kill switch last hit an agent ({@code agent}) or an agent's grant ({@code agent\nconnection}). */
    private final Map<String, Instant> cutoffs = new ConcurrentHashMap<>();

    private final CountDownLatch cutOffsRebuilt = new CountDownLatch(1);
    private volatile boolean draining;

    private final AtomicInteger connections = new AtomicInteger();
    /** Connections not authenticated yet, per listener: a budget of their own (docs/architecture.md "Limits"). */
    private final Map<String, AtomicInteger> unauthenticated = new ConcurrentHashMap<>();
    /** Open sessions per protocol and agent ({@code protocol\nagent}), for the per-agent caps. */
    private final Map<String, Integer> perAgent = new ConcurrentHashMap<>();

    /**
     * Whether the kill switch's cut-offs are complete: rebuilt from {@code identity-events} after a start ({@code
     * ControlEventsListener}), or not needed (events disabled). Logins wait for it ({@link #awaitCutOffs}).
     */
    public boolean cutOffsKnown() {
        return cutOffsRebuilt.getCount() == 0;
    }

    /** Called once the cut-offs are rebuilt (or when there is nothing to rebuild). */
    public void cutOffsRebuilt() {
        cutOffsRebuilt.countDown();
    }

    /**
     * Waits up to {@code max} for the cut-offs to be rebuilt; false when they are not (the login is refused: a token
     * minted before a kill switch must not slip in while the proxy starts). Blocking.
     */
    public boolean awaitCutOffs(Duration max) {
        try {
            return cutOffsRebuilt.await(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Draining for a shutdown: no new session is accepted (readiness is down). */
    public boolean draining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }

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

    /**
     * Counts a connection of {@code protocol}'s listener that has not authenticated yet; false when {@code max} are
     * open already. Authenticated sessions are not counted here, so idle unauthenticated sockets cannot take the
     * slots of logged-in agents. Every true is paired with one {@link #unauthenticatedClosed}.
     */
    public boolean tryOpenUnauthenticated(String protocol, int max) {
        AtomicInteger n = unauthenticated.computeIfAbsent(protocol, k -> new AtomicInteger());
        while (true) {
            int open = n.get();
            if (open >= max) {
                return false;
            }
            if (n.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** Releases what {@link #tryOpenUnauthenticated} counted (the connection authenticated or closed). */
    public void unauthenticatedClosed(String protocol) {
        unauthenticated.get(protocol).decrementAndGet();
    }

    /** Unauthenticated connections of {@code protocol}'s listener open now. */
    public int openUnauthenticated(String protocol) {
        AtomicInteger n = unauthenticated.get(protocol);
        return n == null ? 0 : n.get();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public int openConnections() {
        return connections.get();
    }

    /**
     * Counts a new session of {@code agent} on {@code protocol} (each protocol has its own cap); false when
     * {@code max} are open already ({@code max} 0 or less: no cap). Every true is paired with one
     * {@link #agentSessionClosed}.
     */
    public boolean tryOpenAgentSession(String protocol, String agent, int max) {
        if (max <= 0) {
            perAgent.merge(protocol + '\n' + agent, 1, Integer::sum);
            return true;
        }
        boolean[] opened = {false};
        perAgent.compute(protocol + '\n' + agent, (k, n) -> {
            int open = n == null ? 0 : n;
            if (open >= max) {
                return n;
            }
            opened[0] = true;
            return open + 1;
        });
        return opened[0];
    }

    /** Releases what {@link #tryOpenAgentSession} counted; the entry goes when the agent has no session left. */
    public void agentSessionClosed(String protocol, String agent) {
        perAgent.computeIfPresent(protocol + '\n' + agent, (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The sessions of {@code agent} on {@code protocol} counted now. */
    public int openAgentSessions(String protocol, String agent) {
        return perAgent.getOrDefault(protocol + '\n' + agent, 0);
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

    /**
     * Whether a token was issued before the kill switch hit its agent (or its grant on this
     * connection): such a token stays cryptographically valid until it expires, but must not open
     * new sessions or carry new requests (an HTTP client would otherwise just reconnect).
     */
    public boolean cutOff(String agent, Instant issuedAt, String connection) {
        // iat has whole seconds: a token from the very second of the kill switch may have been minted before it, so it
        // is cut off too (fail closed: a re-enabled agent mints again a second later)
        Instant all = cutoffs.get(agent);
        Instant one = cutoffs.get(agent + '\n' + connection);
        return (all != null && !issuedAt.isAfter(all.truncatedTo(ChronoUnit.SECONDS)))
                || (one != null && !issuedAt.isAfter(one.truncatedTo(ChronoUnit.SECONDS)));
    }

    /** Ends every live session of an agent (optionally only on one connection). Returns how many. */
    public int terminateAgent(String agent, String connection, String reason) {
        return terminateAgent(agent, connection, reason, Instant.now());
    }

    /**
     * As {@link #terminateAgent(String, String, String)}, with the kill switch dated {@code at}: a replayed event's
     * own time, so a token issued after it (the agent re-enabled) is not refused. A later cut-off is never moved
     * back.
     */
    public int terminateAgent(String agent, String connection, String reason, Instant at) {
        cutoffs.merge(connection == null ? agent : agent + '\n' + connection, at, (a, b) -> a.isAfter(b) ? a : b);
        if (cutoffs.size() > 100_000) {
            Instant now = Instant.now();
            cutoffs.values().removeIf(t -> t.isBefore(now.minus(Duration.ofDays(1)))); // tokens live minutes, not days
        }
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
