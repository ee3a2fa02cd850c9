package dev.portcullis.recorder.ingest;

import dev.portcullis.recorder.recording.RecordingWriter.LedgerLink;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The order in which recordings are sealed (docs/architecture.md "Recordings", table {@code recording_ledger}):
 * a session's recording gets the next index and names the recording before it. A transaction-scoped advisory
 * lock makes the append one at a time across every recorder instance; it is held for two small queries, never
 * while a recording is written or uploaded. A session sealed again (a retry) keeps its first position, so its
 * successor's link stays true.
 */
@ApplicationScoped
public class RecordingLedger {

    /** The advisory lock key of the ledger ("PCLEDGER" in ASCII). */
    static final long LOCK = 0x50434c4544474552L;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;

    RecordingLedger(Pool pool) {
        this.pool = pool;
    }

    /** The session's position, taken now if it has none. Blocking. */
    public LedgerLink position(String sessionId) {
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
                        .execute(Tuple.of(LOCK))
                        .chain(() -> conn.preparedQuery(
                                        "SELECT idx, prev_idx, prev_session FROM recording_ledger WHERE session_id = $1")
                                .execute(Tuple.of(sessionId)))
                        .chain(own -> {
                            if (own.size() > 0) {
                                return Uni.createFrom().item(link(own.iterator().next()));
                            }
                            return conn.query("SELECT idx, session_id FROM recording_ledger ORDER BY idx DESC LIMIT 1")
                                    .execute()
                                    .chain(last -> {
                                        Row r = last.size() > 0
                                                ? last.iterator().next()
                                                : null;
                                        long prevIdx = r == null ? -1 : r.getLong("idx");
                                        String prevSession = r == null ? null : r.getString("session_id");
                                        LedgerLink link = new LedgerLink(prevIdx + 1, prevIdx, prevSession);
                                        return conn.preparedQuery(
                                                        "INSERT INTO recording_ledger "
                                                                + "(idx, session_id, prev_idx, prev_session) VALUES ($1, $2, $3, $4)")
                                                .execute(Tuple.of(link.index(), sessionId, prevIdx, prevSession))
                                                .replaceWith(link);
                                    });
                        }))
                .await()
                .atMost(TIMEOUT);
    }

    /** One ledger row as {@code GET /v1/recordings/ledger} lists it. */
    public record Entry(
            long index,
            String sessionId,
            long prevIndex,
            String prevSession,
            OffsetDateTime sealedAt,
            OffsetDateTime expiredAt) {}

    /** Rows from {@code from} on, in index order. Blocking. */
    public List<Entry> list(long from, int limit) {
        List<Entry> out = new ArrayList<>();
        pool.preparedQuery("SELECT idx, session_id, prev_idx, prev_session, sealed_at, expired_at "
                        + "FROM recording_ledger WHERE idx >= $1 ORDER BY idx LIMIT $2")
                .execute(Tuple.of(from, limit))
                .await()
                .atMost(TIMEOUT)
                .forEach(r -> out.add(new Entry(
                        r.getLong("idx"),
                        r.getString("session_id"),
                        r.getLong("prev_idx"),
                        r.getString("prev_session"),
                        r.getOffsetDateTime("sealed_at"),
                        r.getOffsetDateTime("expired_at"))));
        return out;
    }

    /** Marks a session's ledger row: retention deleted its recording (the gap is explained, not hidden). */
    public Uni<Void> expired(String sessionId) {
        return pool.preparedQuery("UPDATE recording_ledger SET expired_at = now() WHERE session_id = $1")
                .execute(Tuple.of(sessionId))
                .replaceWithVoid();
    }

    private static LedgerLink link(Row r) {
        return new LedgerLink(r.getLong("idx"), r.getLong("prev_idx"), r.getString("prev_session"));
    }
}
