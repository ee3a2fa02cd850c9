package dev.portcullis.recorder.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEvent;
import dev.portcullis.recorder.events.SessionEventType;
import dev.portcullis.recorder.recording.SeqRange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stages session events durably in PostgreSQL, one transaction per Kafka batch. The primary key
 * (session_id, seq) makes redelivery idempotent; the session row tracks what has arrived so the
 * recording can be assembled once everything is there (or the gap has been waited out).
 *
 * <p>Plain SQL through the reactive client rather than Hibernate Reactive: a batch is three
 * set-based statements (arrays through {@code unnest}), which is what keeps ingestion fast.
 */
@ApplicationScoped
public class SessionEventStore {

    /** Outcome of staging one batch. */
    public record Staged(int stored, int duplicates, List<SessionEvent> closed, List<String> ready) {
    }

    private final Pool pool;

    SessionEventStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Staged> stage(List<SessionEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(new Staged(0, 0, List.of(), List.of()));
        }
        return pool.withTransaction(conn -> stage(conn, events));
    }

    private Uni<Staged> stage(SqlConnection conn, List<SessionEvent> events) {
        String[] ids = events.stream().map(SessionEvent::sessionId).distinct().sorted().toArray(String[]::new);
        // creates missing session rows and locks all of them (in id order) against a concurrent finalizer
        return conn.preparedQuery("""
                INSERT INTO recorded_session (session_id) SELECT unnest($1::varchar[])
                ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id
                RETURNING session_id, status, max_seq, missing""")
                .execute(Tuple.of(ids))
                .chain(rows -> {
                    Map<String, ClosedSession> closedSessions = new HashMap<>();
                    for (Row r : rows) {
                        if (!"recording".equals(r.getString("status"))) {
                            closedSessions.put(r.getString("session_id"),
                                    new ClosedSession(r.getLong("max_seq"), SeqRanges.parse(r.getString("missing"))));
                        }
                    }
                    List<SessionEvent> open = new ArrayList<>(events.size());
                    List<SessionEvent> late = new ArrayList<>();
                    for (SessionEvent e : events) {
                        ClosedSession c = closedSessions.get(e.sessionId());
                        if (c == null) {
                            open.add(e);
                        } else if (!c.holds(e.seq())) {
                            late.add(e);
                        } // else: already in the stored recording, a redelivery
                    }
                    return insertEvents(conn, open).chain(inserted -> updateSessions(conn, open, inserted).map(ready -> {
                        int stored = inserted.values().stream().mapToInt(Integer::intValue).sum();
                        return new Staged(stored, events.size() - late.size() - stored, late, ready);
                    }));
                });
    }

    record ClosedSession(Long maxSeq, List<SeqRange> missing) {
        boolean holds(long seq) {
            if (maxSeq == null || seq > maxSeq) {
                return false;
            }
            return missing.stream().noneMatch(r -> seq >= r.from() && seq <= r.to());
        }
    }

    /** Inserts new events; returns per session how many were really new (not redelivered). */
    private Uni<Map<String, Integer>> insertEvents(SqlConnection conn, List<SessionEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        int n = events.size();
        String[] ids = new String[n];
        Long[] seqs = new Long[n];
        String[] types = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] actions = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            SessionEvent e = events.get(i);
            ids[i] = e.sessionId();
            seqs[i] = e.seq();
            types[i] = e.type().wire();
            times[i] = e.time() == null ? null : e.time().atOffset(ZoneOffset.UTC);
            actions[i] = e.action() == null ? null : e.action().length() > 16 ? e.action().substring(0, 16) : e.action();
            payloads[i] = e.json();
        }
        return conn.preparedQuery("""
                INSERT INTO session_event_buffer (session_id, seq, type, event_time, action, payload)
                SELECT * FROM unnest($1::varchar[], $2::int8[], $3::varchar[], $4::timestamptz[], $5::varchar[], $6::text[])
                ON CONFLICT (session_id, seq) DO NOTHING
                RETURNING session_id""")
                .execute(Tuple.of(ids, seqs, types, times, actions, payloads))
                .map(SessionEventStore::countBySession);
    }

    private static Map<String, Integer> countBySession(RowSet<Row> rows) {
        Map<String, Integer> counts = new HashMap<>();
        for (Row r : rows) {
            counts.merge(r.getString(0), 1, Integer::sum);
        }
        return counts;
    }

    /** Folds what this batch says about each session into its row; returns sessions now complete. */
    private Uni<List<String>> updateSessions(SqlConnection conn, List<SessionEvent> events, Map<String, Integer> inserted) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<String, Acc> acc = new TreeMap<>();
        for (SessionEvent e : events) {
            acc.computeIfAbsent(e.sessionId(), k -> new Acc()).add(e);
        }
        int n = acc.size();
        String[] ids = new String[n];
        String[] agents = new String[n];
        String[] connections = new String[n];
        String[] protocols = new String[n];
        String[] tags = new String[n];
        OffsetDateTime[] started = new OffsetDateTime[n];
        OffsetDateTime[] ended = new OffsetDateTime[n];
        Long[] endSeqs = new Long[n];
        OffsetDateTime[] firstTimes = new OffsetDateTime[n];
        Long[] maxSeqs = new Long[n];
        Long[] counts = new Long[n];
        int i = 0;
        for (Map.Entry<String, Acc> entry : acc.entrySet()) {
            Acc a = entry.getValue();
            ids[i] = entry.getKey();
            agents[i] = a.agent;
            connections[i] = a.connection;
            protocols[i] = a.protocol;
            tags[i] = a.tags == null ? null : toJson(a.tags);
            started[i] = a.started;
            ended[i] = a.ended;
            endSeqs[i] = a.endSeq;
            firstTimes[i] = a.firstTime;
            maxSeqs[i] = a.maxSeq;
            counts[i] = (long) inserted.getOrDefault(entry.getKey(), 0);
            i++;
        }
        return conn.preparedQuery("""
                UPDATE recorded_session r SET
                    agent = COALESCE(r.agent, u.agent),
                    connection = COALESCE(r.connection, u.connection),
                    protocol = COALESCE(r.protocol, u.protocol),
                    tags = COALESCE(r.tags, u.tags),
                    started_at = COALESCE(r.started_at, u.started_at),
                    ended_at = COALESCE(r.ended_at, u.ended_at),
                    end_seq = COALESCE(r.end_seq, u.end_seq),
                    first_event_at = LEAST(r.first_event_at, u.first_event_at),
                    max_seq = GREATEST(r.max_seq, u.max_seq),
                    buffered = r.buffered + u.inserted,
                    last_event_at = CASE WHEN u.inserted > 0 THEN now() ELSE r.last_event_at END
                FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::text[], $6::timestamptz[],
                            $7::timestamptz[], $8::int8[], $9::timestamptz[], $10::int8[], $11::int8[])
                     AS u(session_id, agent, connection, protocol, tags, started_at, ended_at, end_seq, first_event_at,
                          max_seq, inserted)
                WHERE r.session_id = u.session_id
                RETURNING r.session_id, r.buffered, r.end_seq, r.max_seq""")
                .execute(Tuple.from(new Object[] { ids, agents, connections, protocols, tags, started, ended, endSeqs,
                        firstTimes, maxSeqs, counts }))
                .map(rows -> {
                    List<String> ready = new ArrayList<>();
                    for (Row r : rows) {
                        Long endSeq = r.getLong("end_seq");
                        // every seq 0..end is there and nothing beyond: the recording can be written
                        if (endSeq != null && r.getLong("buffered") == endSeq + 1 && r.getLong("max_seq") == endSeq.longValue()) {
                            ready.add(r.getString("session_id"));
                        }
                    }
                    return ready;
                });
    }

    private static String toJson(Map<String, String> tags) {
        try {
            return JsonSupport.MAPPER.writeValueAsString(tags);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** What one batch says about one session. */
    private static final class Acc {
        String agent;
        String connection;
        String protocol;
        Map<String, String> tags;
        OffsetDateTime started;
        OffsetDateTime ended;
        Long endSeq;
        OffsetDateTime firstTime;
        Long maxSeq;

        void add(SessionEvent e) {
            if (agent == null) {
                agent = e.agent();
            }
            if (connection == null) {
                connection = e.connection();
            }
            if (protocol == null) {
                protocol = e.protocol();
            }
            if (tags == null && !e.tags().isEmpty()) {
                tags = new LinkedHashMap<>(e.tags());
            }
            OffsetDateTime t = e.time() == null ? null : e.time().atOffset(ZoneOffset.UTC);
            if (e.type() == SessionEventType.STARTED && started == null) {
                started = t;
            }
            if (e.type() == SessionEventType.ENDED && endSeq == null) {
                ended = t;
                endSeq = e.seq();
            }
            if (t != null && (firstTime == null || t.isBefore(firstTime))) {
                firstTime = t;
            }
            maxSeq = maxSeq == null ? e.seq() : Math.max(maxSeq, e.seq());
        }
    }
}
