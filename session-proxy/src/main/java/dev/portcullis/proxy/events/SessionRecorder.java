package dev.portcullis.proxy.events;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.contracts.events.SessionEventFields;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The session events of one session (docs/architecture.md "Events"): every event carries {@code session_id},
 * {@code agent}, {@code connection} and a {@code seq} that starts at 0 and has no gaps.
 * {@code session.ended} is the last one: what a session's threads still report after it (a relay
 * that notices only afterwards that the kill switch closed its channel) is logged, not recorded.
 * Protocol-neutral; safe to call from any thread.
 *
 * <p>It also knows which of its events are recorded (acknowledged by Kafka or spooled, {@link Recorded}), so a
 * protocol can forward a request only once its request and decision events are: {@link #whenRecorded}
 * (write-ahead, docs/architecture.md "Delivery").
 *
 * <p>And it keeps its last requests for a review's session so far ({@link #history}, {@link RequestHistory}).
 */
public final class SessionRecorder {

    private static final Logger LOG = Logger.getLogger(SessionRecorder.class);

    /** Where the events go: {@link EventPublisher#publish} (a seam for unit tests). */
    interface Sink {
        void publish(String topic, String key, CloudEvent<?> event);

        /** Publishes and says whether the event is recorded; a test's sink records at once. */
        default void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
            publish(topic, key, event);
            recorded.recorded(true);
        }

        /** As {@link #publish(String, String, CloudEvent, Recorded)}, with the event's JSON already written. */
        default void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
            publish(topic, key, event, recorded);
        }
    }

    private record Waiter(long from, long to, Consumer<Boolean> then) {}

    private final Sink events;
    private final SessionEventAuth.Session auth;
    private final String sessionId;
    private final String agent;
    private final String connection;
    /** This session's events written straight to JSON, the constant parts once. */
    private final SessionEnvelope envelope;

    private long seq;
    private int requests;
    private boolean ended;
    /** Every seq below it is recorded or given up. */
    private long resolvedBelow;
    /** Seqs at or above {@link #resolvedBelow} already resolved (out of order: rare). */
    private final TreeSet<Long> resolvedEarly = new TreeSet<>();
    /** Seqs given up: the publisher could not record them. */
    private final TreeSet<Long> lost = new TreeSet<>();

    private final List<Waiter> waiters = new ArrayList<>();

    /** Requests a review carries ({@code portcullis.review.history-size}); 0: none kept. */
    private final int historySize;
    /** Made at the first request: an idle session keeps nothing. */
    private RequestHistory history;

    /** @param historySize how many earlier requests a review of this session carries (0: none) */
    public SessionRecorder(EventPublisher events, String sessionId, String agent, String connection, int historySize) {
        this(
                new Sink() {
                    @Override
                    public void publish(String topic, String key, CloudEvent<?> event) {
                        events.publish(topic, key, event);
                    }

                    @Override
                    public void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
                        events.publish(topic, key, event, recorded);
                    }

                    @Override
                    public void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
                        events.publish(topic, key, event, json, recorded);
                    }
                },
                events.sessionEventAuth().forSession(sessionId),
                sessionId,
                agent,
                connection,
                historySize);
    }

    SessionRecorder(Sink events, String sessionId, String agent, String connection) {
        this(events, sessionId, agent, connection, 0);
    }

    SessionRecorder(Sink events, String sessionId, String agent, String connection, int historySize) {
        this(events, SessionEventAuth.NONE.forSession(sessionId), sessionId, agent, connection, historySize);
    }

    SessionRecorder(Sink events, SessionEventAuth.Session auth, String sessionId, String agent, String connection) {
        this(events, auth, sessionId, agent, connection, 0);
    }

    SessionRecorder(
            Sink events,
            SessionEventAuth.Session auth,
            String sessionId,
            String agent,
            String connection,
            int historySize) {
        if (historySize < 0 || historySize > ReviewRequested.MAX_HISTORY) {
            throw new IllegalArgumentException(
                    "history size " + historySize + " is not 0 to " + ReviewRequested.MAX_HISTORY);
        }
        this.historySize = historySize;
        this.events = events;
        this.auth = auth;
        this.sessionId = sessionId;
        this.agent = agent;
        this.connection = connection;
        this.envelope = new SessionEnvelope(sessionId, agent, connection);
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
        boolean request = EventTypes.SESSION_REQUEST.equals(type);
        if (request) {
            requests++;
        }
        long s = seq++;
        // written once, here, and tagged over exactly these bytes; the publisher sends them as they are
        CloudEvent<JsonObject> event = EventPublisher.sessionEvent(type, sessionId, s, agent, connection, data);
        if (request && data.containsKey(SessionEventFields.DECISION)) {
            // a request carrying its decision means something a v1 reader would misread (no session.decision)
            event = event.withDataschema(CloudEvent.DATASCHEMA_SESSION_V2);
        }
        String json = envelope.encode(event);
        if (historySize > 0) {
            keep(s, type, request, data, json.length());
        }
        String tag = auth.tagOf(json);
        events.publish(
                Topics.SESSION_EVENTS,
                sessionId,
                tag == null ? event : event.withAuthtag(tag),
                tag == null ? json : EventAuth.append(json, tag),
                ok -> resolved(s, ok));
        return s;
    }

    /** Into the history: a request by reference, a decision's action; nothing is copied. */
    private void keep(long s, String type, boolean request, JsonObject data, int encodedLength) {
        if (request) {
            if (history == null) {
                history = new RequestHistory(historySize);
            }
            history.request(s, data, encodedLength);
        } else if (history != null && EventTypes.SESSION_DECISION.equals(type)) {
            history.decision(data);
        }
    }

    /**
     * The session so far for a review of the request recorded at {@code heldSeq}: its last requests before it, oldest
     * first, as recorded (masked), each text cut to {@link ReviewRequested#MAX_HISTORY_REQUEST}; empty before any,
     * null when the proxy keeps none ({@code portcullis.review.history-size} 0).
     */
    public synchronized List<ReviewRequested.HistoryEntry> history(long heldSeq) {
        if (historySize == 0) {
            return null;
        }
        return history == null ? List.of() : history.before(heldSeq);
    }

    /** The history as kept so far (tests: null until the first request). */
    synchronized RequestHistory keptHistory() {
        return history;
    }

    /** The seq of the last event emitted, -1 before the first. */
    public synchronized long lastSeq() {
        return seq - 1;
    }

    /**
     * Calls {@code then} once every event from {@code fromSeq} to {@code toSeq} is resolved: true when all of them
     * are recorded, false when one was given up. Calls it at once (on this thread) when they are resolved already,
     * else on the publisher's thread: hand real work to your own. A range below 0 (nothing emitted) is recorded.
     */
    public void whenRecorded(long fromSeq, long toSeq, Consumer<Boolean> then) {
        boolean now;
        boolean ok;
        synchronized (this) {
            now = toSeq < resolvedBelow;
            ok = now && recordedBetween(fromSeq, toSeq);
            if (!now) {
                waiters.add(new Waiter(fromSeq, toSeq, then));
            }
        }
        if (now) {
            then.accept(ok);
        }
    }

    private boolean recordedBetween(long fromSeq, long toSeq) {
        Long firstLost = lost.ceiling(fromSeq);
        return firstLost == null || firstLost > toSeq;
    }

    private void resolved(long s, boolean ok) {
        List<Waiter> ready = new ArrayList<>();
        List<Boolean> results = new ArrayList<>();
        synchronized (this) {
            if (!ok) {
                lost.add(s);
            }
            if (s == resolvedBelow) {
                resolvedBelow++;
                while (!resolvedEarly.isEmpty() && resolvedEarly.first() == resolvedBelow) {
                    resolvedEarly.pollFirst();
                    resolvedBelow++;
                }
            } else if (s > resolvedBelow) {
                resolvedEarly.add(s);
            }
            for (var it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.to() < resolvedBelow) {
                    it.remove();
                    ready.add(w);
                    results.add(recordedBetween(w.from(), w.to()));
                }
            }
        }
        for (int i = 0; i < ready.size(); i++) {
            ready.get(i).then().accept(results.get(i));
        }
    }

    /** How many {@code session.request} events so far. */
    public synchronized int requests() {
        return requests;
    }

    public String sessionId() {
        return sessionId;
    }
}
