package dev.portcullis.proxy.events;

import dev.portcullis.proxy.enforcement.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The session events of one session (DESIGN.md "Events"): every event carries {@code session_id},
 * {@code agent}, {@code connection} and a {@code seq} that starts at 0 and has no gaps.
 * Protocol-neutral; safe to call from any thread.
 */
public final class SessionRecorder {

    private final EventPublisher events;
    private final String sessionId;
    private final String agent;
    private final String connection;
    private long seq;
    private int requests;

    public SessionRecorder(EventPublisher events, String sessionId, String agent, String connection) {
        this.events = events;
        this.sessionId = sessionId;
        this.agent = agent;
        this.connection = connection;
    }

    /** Publishes one event; returns its seq. */
    public synchronized long emit(String type, JsonObject data) {
        if (EventTypes.SESSION_REQUEST.equals(type)) {
            requests++;
        }
        long s = seq++;
        events.publish(Topics.SESSION_EVENTS, sessionId, EventPublisher.sessionEvent(type, sessionId, s, agent, connection, data));
        return s;
    }

    /** {@code session.decision} for the request recorded at {@code requestSeq}. */
    public long decision(Decision d, long requestSeq, boolean cached) {
        return emit(EventTypes.SESSION_DECISION, new JsonObject().put("request_seq", requestSeq)
                .put("action", d.action().wire()).put("reasons", new JsonArray(d.reasons()))
                .put("rules", new JsonArray(d.rules())).put("decision_id", d.decisionId()).put("cached", cached));
    }

    /** How many {@code session.request} events so far. */
    public synchronized int requests() {
        return requests;
    }

    public String sessionId() {
        return sessionId;
    }
}
