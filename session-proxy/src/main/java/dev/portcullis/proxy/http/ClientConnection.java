package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.auth.AgentIdentity;
import io.vertx.core.Context;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One agent TCP connection to the HTTP listener, confined to its event loop: its sessions (one per
 * agent and connection), the target requests in flight for it, its review holds, and the timer
 * that closes it when no complete request head arrives in time (slow clients).
 */
final class ClientConnection {

    private final HttpGateway gw;
    private final HttpConnection http;
    private final Context context;
    private final String address;
    private final boolean loopback;
    private final Map<String, HttpAgentSession> sessions = new HashMap<>();
    private final Set<HttpClientRequest> inFlight = new HashSet<>();
    private final Set<String> reviews = new HashSet<>();
    private int active;
    private long headerTimer = -1;
    private boolean closed;
    /** Releases this connection at the listener (slot, registry) and then {@link #closed()}; run once. */
    private Runnable gone = this::closed;

    ClientConnection(HttpGateway gw, HttpConnection http, Context context) {
        this.gw = gw;
        this.http = http;
        this.context = context;
        this.address = String.valueOf(http.remoteAddress());
        boolean lo;
        try {
            lo = http.remoteAddress().hostAddress() != null
                    && InetAddress.getByName(http.remoteAddress().hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            lo = false;
        }
        this.loopback = lo;
        armHeaderTimer();
    }

    String address() {
        return address;
    }

    boolean loopback() {
        return loopback;
    }

    /** The session of this agent on this connection, started on first use. */
    HttpAgentSession session(AgentIdentity identity, Connection connection, String userAgent) {
        String key = identity.agent() + '\n' + identity.subject() + '\n' + connection.name();
        HttpAgentSession s = sessions.get(key);
        if (s == null) {
            s = new HttpAgentSession(gw, this, context, identity, connection);
            sessions.put(key, s);
            s.started(userAgent);
        }
        return s;
    }

    void requestStarted() {
        active++;
        if (headerTimer >= 0) {
            gw.vertx().cancelTimer(headerTimer);
            headerTimer = -1;
        }
    }

    void requestEnded() {
        if (--active == 0) {
            armHeaderTimer();
        }
    }

    private void armHeaderTimer() {
        if (closed) {
            return;
        }
        headerTimer = gw.vertx().setTimer(gw.config().http().headerTimeout().toMillis(), t -> {
            headerTimer = -1;
            if (active == 0) {
                close();
            }
        });
    }

    void inFlight(HttpClientRequest r) {
        inFlight.add(r);
    }

    void done(HttpClientRequest r) {
        inFlight.remove(r);
    }

    void holding(String reviewId) {
        reviews.add(reviewId);
    }

    void released(String reviewId) {
        reviews.remove(reviewId);
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        http.close();
    }

    void whenGone(Runnable gone) {
        this.gone = gone;
    }

    /**
     * An upgraded connection's tunnel ended. Vert.x hands an upgraded socket over whole (its HTTP connection's close
     * handler no longer runs), so the tunnel reports the end: the connection slot is freed and its sessions end.
     */
    void upgradeEnded() {
        gone.run();
    }

    /** The client went away (or was closed): nothing it started may continue. */
    void closed() {
        closed = true;
        if (headerTimer >= 0) {
            gw.vertx().cancelTimer(headerTimer);
        }
        List<HttpClientRequest> requests = new ArrayList<>(inFlight);
        inFlight.clear();
        requests.forEach(HttpClientRequest::reset);
        reviews.forEach(gw.holds()::abandon);
        reviews.clear();
        sessions.values().forEach(s -> s.ended("client disconnected"));
        sessions.clear();
    }
}
