package dev.portcullis.recorder.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEvent;
import dev.portcullis.recorder.events.SessionEventType;
import dev.portcullis.recorder.recording.SeqRange;
import io.netty.buffer.Unpooled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * <p>Plain SQL through the reactive client rather than Hibernate Reactive: a batch is two
 * set-based statements (arrays through {@code unnest}) in one transaction, which is what keeps
 * ingestion fast. Payloads are {@code bytea}: the event's UTF-8 JSON as received from the parser.
 */
@ApplicationScoped
public class SessionEventStore {

    /** Outcome of staging one batch. */
    public record Staged(int stored, int duplicates, List<SessionEvent> closed, List<String> ready) {}

    private static final String[] DECIDING_TYPES = DecisionCounts.DECIDING_TYPES.toArray(String[]::new);
    private static final String[] DENIAL_ACTIONS = DecisionCounts.DENIALS.toArray(String[]::new);

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
        String[] ids =
                events.stream().map(SessionEvent::sessionId).distinct().sorted().toArray(String[]::new);
        // creates missing session rows and locks all of them (in id order) against a concurrent finalizer
        return conn.preparedQuery("""
                INSERT INTO recorded_session (session_id) SELECT unnest($1::varchar[])
                ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id
                RETURNING session_id, status, max_seq, missing""").execute(Tuple.of(ids)).chain(rows -> {
            Map<String, ClosedSession> closedSessions = new HashMap<>();
            for (Row r : rows) {
                if (!"recording".equals(r.getString("status"))) {
                    closedSessions.put(
                            r.getString("session_id"),
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
            return insertEvents(conn, open)
                    .map(inserted -> new Staged(
                            inserted.stored(),
                            events.size() - late.size() - inserted.stored(),
                            late,
                            inserted.ready()));
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

    /** What one statement of {@link #insertEvents} did: events really new (not redelivered), sessions now complete. */
    private record Inserted(int stored, List<String> ready) {}

    /**
     * Inserts the new events and folds what the batch says about each session into its row, in one
     * statement (one round trip): the insert's {@code RETURNING} is counted per session in SQL and
     * added to {@code buffered}, and its denials and reviews ({@link DecisionCounts}, by the staged type and
     * action) to {@code denial_count} and {@code review_count}, so a session still being recorded can be searched
     * by them (a redelivered event inserts nothing and counts nothing). Returns how many events were new and which
     * sessions are now complete.
     */
    private Uni<Inserted> insertEvents(SqlConnection conn, List<SessionEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(new Inserted(0, List.of()));
        }
        int n = events.size();
        String[] ids = new String[n];
        Long[] seqs = new Long[n];
        String[] types = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] actions = new String[n];
        Buffer[] payloads = new Buffer[n];
        Map<String, Acc> acc = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            SessionEvent e = events.get(i);
            ids[i] = e.sessionId();
            seqs[i] = e.seq();
            types[i] = e.type().wire();
            times[i] = e.time() == null ? null : e.time().atOffset(ZoneOffset.UTC);
            actions[i] = e.action() == null
                    ? null
                    : e.action().length() > 16 ? e.action().substring(0, 16) : e.action();
            payloads[i] = wrap(e.json());
            acc.computeIfAbsent(e.sessionId(), k -> new Acc()).add(e);
        }
        int m = acc.size();
        String[] sessionIds = new String[m];
        String[] agents = new String[m];
        String[] connections = new String[m];
        String[] protocols = new String[m];
        String[] tags = new String[m];
        OffsetDateTime[] started = new OffsetDateTime[m];
        OffsetDateTime[] ended = new OffsetDateTime[m];
        Long[] endSeqs = new Long[m];
        OffsetDateTime[] firstTimes = new OffsetDateTime[m];
        Long[] maxSeqs = new Long[m];
        int j = 0;
        for (Map.Entry<String, Acc> entry : acc.entrySet()) {
            Acc a = entry.getValue();
            sessionIds[j] = entry.getKey();
            agents[j] = a.agent;
            connections[j] = a.connection;
            protocols[j] = a.protocol;
            tags[j] = a.tags == null ? null : toJson(a.tags);
            started[j] = a.started;
            ended[j] = a.ended;
            endSeqs[j] = a.endSeq;
            firstTimes[j] = a.firstTime;
            maxSeqs[j] = a.maxSeq;
            j++;
        }
        return conn.preparedQuery("""
                WITH inserted AS (
                    INSERT INTO session_event_buffer (session_id, seq, type, event_time, action, payload)
                    SELECT * FROM unnest($1::varchar[], $2::int8[], $3::varchar[], $4::timestamptz[], $5::varchar[], $6::bytea[])
                    ON CONFLICT (session_id, seq) DO NOTHING
                    RETURNING session_id, type, action),
                counted AS (
                    SELECT session_id, count(*) AS n,
                        count(*) FILTER (WHERE type = ANY($17::varchar[]) AND action = ANY($18::varchar[])) AS denials,
                        count(*) FILTER (WHERE type = ANY($17::varchar[]) AND action = $19) AS reviews
                    FROM inserted GROUP BY session_id)
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
                    buffered = r.buffered + COALESCE(c.n, 0),
                    denial_count = r.denial_count + COALESCE(c.denials, 0),
                    review_count = r.review_count + COALESCE(c.reviews, 0),
                    last_event_at = CASE WHEN c.n > 0 THEN now() ELSE r.last_event_at END
                FROM unnest($7::varchar[], $8::varchar[], $9::varchar[], $10::varchar[], $11::text[], $12::timestamptz[],
                            $13::timestamptz[], $14::int8[], $15::timestamptz[], $16::int8[])
                     AS u(session_id, agent, connection, protocol, tags, started_at, ended_at, end_seq, first_event_at, max_seq)
                     LEFT JOIN counted c ON c.session_id = u.session_id
                WHERE r.session_id = u.session_id
                RETURNING r.session_id, r.buffered, r.end_seq, r.max_seq, COALESCE(c.n, 0) AS inserted""")
                .execute(Tuple.from(new Object[] {
                    ids,
                    seqs,
                    types,
                    times,
                    actions,
                    payloads,
                    sessionIds,
                    agents,
                    connections,
                    protocols,
                    tags,
                    started,
                    ended,
                    endSeqs,
                    firstTimes,
                    maxSeqs,
                    DECIDING_TYPES,
                    DENIAL_ACTIONS,
                    DecisionCounts.REVIEW
                }))
                .map(rows -> {
                    int stored = 0;
                    List<String> ready = new ArrayList<>();
                    for (Row r : rows) {
                        stored += r.getLong("inserted").intValue();
                        Long endSeq = r.getLong("end_seq");
                        // every seq 0..end is there and nothing beyond: the recording can be written
                        if (endSeq != null
                                && r.getLong("buffered") == endSeq + 1
                                && r.getLong("max_seq") == endSeq.longValue()) {
                            ready.add(r.getString("session_id"));
                        }
                    }
                    return new Inserted(stored, ready);
                });
    }

    // The event's bytes wrapped, not copied.
    // Vert.x 4 deprecates its ByteBuf bridge with no public replacement (Vert.x 5 moves it to BufferInternal).
    @SuppressWarnings("deprecation")
    private static Buffer wrap(byte[] json) {
        return Buffer.buffer(Unpooled.wrappedBuffer(json));
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
