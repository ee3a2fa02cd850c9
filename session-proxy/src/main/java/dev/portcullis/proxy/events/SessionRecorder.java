package dev.portcullis.proxy.events;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import org.jboss.logging.Logger;

/**
 * The session events of one session (docs/architecture.md "Events"): every event carries {@code session_id},
 * {@code agent}, {@code connection} and a {@code seq} that starts at 0 and has no gaps.
 * {@code session.ended} is the last one: what a session's threads still report after it (a relay
 * that notices only afterwards that the kill switch closed its channel) is logged, not recorded.
 * Protocol-neutral; safe to call from any thread.
 */
public final class SessionRecorder {

    private static final Logger LOG = Logger.getLogger(SessionRecorder.class);

    /** Where the events go: {@link EventPublisher#publish} (a seam for unit tests). */
    interface Sink {
        void publish(String topic, String key, CloudEvent<?> event);
    }

    private final Sink events;
    private final SessionEventAuth.Session auth;
    private final String sessionId;
    private final String agent;
    private final String connection;
    private long seq;
    private int requests;
    private boolean ended;

    public SessionRecorder(EventPublisher events, String sessionId, String agent, String connection) {
        this(events::publish, events.sessionEventAuth().forSession(sessionId), sessionId, agent, connection);
    }

    SessionRecorder(Sink events, String sessionId, String agent, String connection) {
        this(events, SessionEventAuth.NONE.forSession(sessionId), sessionId, agent, connection);
    }

    SessionRecorder(Sink events, SessionEventAuth.Session auth, String sessionId, String agent, String connection) {
        this.events = events;
        this.auth = auth;
        this.sessionId = sessionId;
        this.agent = agent;
        this.connection = connection;
    }

    /**
     * Publishes one event; returns its seq, or -1 without publishing once {@code session.ended} has
     * been: the recorder treats a session as over at its end event, and an event behind it would keep
     * the recording open until its gap hold and then sit after the end.
     */
    public synchronized long emit(String type, JsonObject data) {
        if (ended) {
            LOG.infof("session %s: %s after session.ended not recorded (the session is over)", sessionId, type);
            return -1;
        }
        ended = EventTypes.SESSION_ENDED.equals(type);
        if (EventTypes.SESSION_REQUEST.equals(type)) {
            requests++;
        }
        long s = seq++;
        events.publish(
                Topics.SESSION_EVENTS,
                sessionId,
                auth.tag(EventPublisher.sessionEvent(type, sessionId, s, agent, connection, data)));
        return s;
    }

    /** How many {@code session.request} events so far. */
    public synchronized int requests() {
        return requests;
    }

    public String sessionId() {
        return sessionId;
    }
}
