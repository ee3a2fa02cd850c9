package dev.portcullis.recorder.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.recorder.config.RecorderConfig;
import dev.portcullis.recorder.connection.ConnectionCatalog;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEventType;
import dev.portcullis.recorder.recording.AsciicastWriter;
import dev.portcullis.recorder.recording.RecordingSigner;
import dev.portcullis.recorder.recording.RecordingWriter;
import dev.portcullis.recorder.recording.SeqRange;
import dev.portcullis.recorder.recording.StoredFile;
import dev.portcullis.recorder.storage.RecordingKeys;
import dev.portcullis.recorder.storage.RecordingStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Turns a session's staged events into stored recordings: reads them back in seq order (a page at
 * a time, so memory stays flat), writes the chained event file (and an asciicast for SSH and Kubernetes) to a local
 * staging file, uploads it, then in one transaction marks the session final and drops its staged
 * events. Re-running after a crash rewrites the same bytes under the same key, so it is idempotent.
 *
 * <p>Runs on its own threads (blocking disk and S3 I/O, never the event loop). A lease on the
 * session row keeps two finalizers (threads or instances) from working on the same session.
 */
@ApplicationScoped
public class RecordingFinalizer {

    private static final Logger LOG = Logger.getLogger(RecordingFinalizer.class);
    static final Duration LEASE = Duration.ofMinutes(2);
    static final Duration DB_TIMEOUT = Duration.ofSeconds(60);

    public enum Outcome {
        COMPLETE,
        INCOMPLETE,
        NOT_READY,
        BUSY
    }

    private final Pool pool;
    private final RecordingStore store;
    private final ConnectionCatalog catalog;
    private final RecorderConfig config;
    private final MeterRegistry registry;
    private final ExecutorService executor;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final Path staging;
    private final RecordingSigner signer;
    private final RecordingLedger ledger;
    private final EventAuthenticator auth;

    RecordingFinalizer(
            Pool pool,
            RecordingStore store,
            ConnectionCatalog catalog,
            RecorderConfig config,
            MeterRegistry registry,
            RecordingSigner signer,
            RecordingLedger ledger,
            EventAuthenticator auth)
            throws IOException {
        this.signer = signer;
        this.ledger = ledger;
        this.auth = auth;
        this.pool = pool;
        this.store = store;
        this.catalog = catalog;
        this.config = config;
        this.registry = registry;
        this.staging = config.stagingDir().orElse(Path.of(System.getProperty("java.io.tmpdir"), "portcullis-recorder"));
        Files.createDirectories(staging);
        int level = config.recordingCompressionLevel();
        if (level < 0 || level > 9) {
            // refuse to start rather than fail every finalisation
            throw new IllegalArgumentException(
                    "portcullis.recording-compression-level must be 0 (none) to 9, not " + level);
        }
        this.executor = Executors.newFixedThreadPool(
                Math.max(1, config.ingest().finalizerThreads()),
                Thread.ofPlatform().name("recorder-finalizer-", 0).daemon().factory());
    }

    /** Queues a session for finalizing (once, however often it is asked). */
    public void submit(String sessionId) {
        if (!queued.add(sessionId)) {
            return;
        }
        executor.execute(() -> {
            try {
                finalizeSession(sessionId);
            } catch (Exception e) {
                LOG.warnf(
                        "finalizing session %s failed (it will be retried by the sweeper): %s",
                        sessionId, e.toString());
            } finally {
                queued.remove(sessionId);
            }
        });
    }

    /** Finalizes now if the session is ready (all events there, gap waited out, or overrun). Blocking. */
    public Outcome finalizeSession(String sessionId) throws IOException {
        RecordingStore.requireBlockingAllowed("finalizing a recording");
        Row s = await(pool.preparedQuery("""
                UPDATE recorded_session SET lease_until = now() + make_interval(secs => $2)
                WHERE session_id = $1 AND status = 'recording' AND (lease_until IS NULL OR lease_until < now())
                RETURNING agent, connection, protocol, tags, started_at, first_event_at, first_seen_at, end_seq, max_seq,
                          buffered, last_event_at < now() - make_interval(secs => $3) AS hold_over, now() AS db_now""")
                        .execute(Tuple.of(
                                sessionId,
                                (double) LEASE.toSeconds(),
                                seconds(config.ingest().gapHold()))))
                .stream()
                .findFirst()
                .orElse(null);
        if (s == null) {
            return Outcome.BUSY;
        }
        boolean done = false;
        try {
            Outcome outcome = assemble(sessionId, s);
            done = outcome != Outcome.NOT_READY;
            return outcome;
        } finally {
            if (!done) {
                await(pool.preparedQuery("UPDATE recorded_session SET lease_until = NULL WHERE session_id = $1")
                        .execute(Tuple.of(sessionId)));
            }
        }
    }

    private Outcome assemble(String sessionId, Row s) throws IOException {
        Long endSeq = s.getLong("end_seq");
        Long maxSeq = s.getLong("max_seq");
        long buffered = s.getLong("buffered");
        boolean holdOver = Boolean.TRUE.equals(s.getBoolean("hold_over"));
        Instant now = s.getOffsetDateTime("db_now").toInstant();
        String connection = s.getString("connection");
        Instant start = firstNonNull(
                s.getOffsetDateTime("started_at"),
                s.getOffsetDateTime("first_event_at"),
                s.getOffsetDateTime("first_seen_at"));
        Duration maxDuration =
                catalog.maxSessionDuration(connection).orElse(config.sessions().maxDuration());
        boolean timedOut = endSeq == null
                && start.plus(maxDuration).plus(config.sessions().grace()).isBefore(now);
        boolean allThere = endSeq != null && maxSeq != null && buffered == endSeq + 1 && maxSeq.longValue() == endSeq;
        if (!allThere && !(endSeq != null && holdOver) && !timedOut) {
            return Outcome.NOT_READY;
        }
        // terminal sessions get an asciicast: SSH, and Kubernetes for its exec/attach streams
        String protocol = s.getString("protocol");
        boolean terminal = "ssh".equalsIgnoreCase(protocol) || "kubernetes".equalsIgnoreCase(protocol);
        Path events = Files.createTempFile(staging, "rec-", ".jsonl");
        Path cast = terminal ? Files.createTempFile(staging, "rec-", ".cast") : null;
        try {
            return write(sessionId, s, start, endSeq, buffered, holdOver || timedOut, events, cast);
        } finally {
            Files.deleteIfExists(events);
            if (cast != null) {
                Files.deleteIfExists(cast);
            }
        }
    }

    private Outcome write(
            String sessionId,
            Row s,
            Instant start,
            Long endSeq,
            long buffered,
            boolean mayBeIncomplete,
            Path eventsFile,
            Path castFile)
            throws IOException {
        List<SeqRange> missing = new ArrayList<>();
        long requests = 0;
        long denials = 0;
        long reviews = 0;
        RecordingWriter.Written events;
        long ledgerIndex;
        AsciicastWriter.Written cast = null;
        // stored gzip-compressed (docs/architecture.md "Recordings"); the writers hash the uncompressed lines
        int level = config.recordingCompressionLevel();
        StoredFile eventsStored = new StoredFile(eventsFile, level);
        StoredFile castStored = castFile == null ? null : new StoredFile(castFile, level);
        try (eventsStored;
                RecordingWriter writer = new RecordingWriter(eventsStored.out());
                OutputStream castOut = castStored == null ? OutputStream.nullOutputStream() : castStored.out();
                AsciicastWriter asciicast = new AsciicastWriter(castOut)) {
            String title = s.getString("agent") + "@" + s.getString("connection") + " " + sessionId;
            boolean castStarted = false;
            long expected = 0;
            long after = -1;
            int page = config.ingest().assemblePageSize();
            Long maxSeq = s.getLong("max_seq");
            long leaseTakenAt = System.nanoTime();
            CompletableFuture<RowSet<Row>> pending = page(sessionId, after, page);
            while (true) {
                RowSet<Row> rows = awaitPage(pending);
                if (rows.size() == 0) {
                    break;
                }
                long lastInPage = -1;
                for (Row r : rows) {
                    lastInPage = r.getLong("seq");
                }
                // the last staged seq is known: no query for an empty page after it
                boolean more = rows.size() == page && !(maxSeq != null && lastInPage >= maxSeq);
                // the next page is read from PostgreSQL while this one is hashed and compressed
                pending = more ? page(sessionId, lastInPage, page) : null;
                for (Row r : rows) {
                    long seq = r.getLong("seq");
                    if (seq > expected) {
                        missing.add(new SeqRange(expected, seq - 1));
                    }
                    expected = seq + 1;
                    after = seq;
                    // the row's own bytes (a heap buffer), not a copy; Vert.x 4 deprecates its ByteBuf
                    // bridge with no public replacement (Vert.x 5 moves it to BufferInternal)
                    @SuppressWarnings("deprecation")
                    ByteBuf payload = r.getBuffer("payload").getDelegate().getByteBuf();
                    byte[] bytes = payload.hasArray() ? payload.array() : ByteBufUtil.getBytes(payload);
                    int offset = payload.hasArray() ? payload.arrayOffset() + payload.readerIndex() : 0;
                    int length = payload.readableBytes();
                    writer.append(seq, bytes, offset, length);
                    SessionEventType type =
                            SessionEventType.fromWire(r.getString("type")).orElseThrow();
                    String action = r.getString("action");
                    if (type == SessionEventType.REQUEST) {
                        requests++;
                    }
                    // the rule SessionEventStore counts by as events arrive; these counts replace those
                    if (DecisionCounts.isDenial(type, action)) {
                        denials++;
                    } else if (DecisionCounts.isReview(type, action)) {
                        reviews++;
                    }
                    if (castFile != null) {
                        JsonNode node = parse(bytes, offset, length);
                        if (!castStarted) {
                            asciicast.header(start, type == SessionEventType.STARTED ? node : null, title);
                            castStarted = true;
                        }
                        OffsetDateTime t = r.getOffsetDateTime("event_time");
                        asciicast.event(type, t == null ? null : t.toInstant(), node);
                    }
                }
                if (!more) {
                    break;
                }
                if (System.nanoTime() - leaseTakenAt > LEASE.toNanos() / 4) {
                    renewLease(sessionId);
                    leaseTakenAt = System.nanoTime();
                }
            }
            if (endSeq != null && expected <= endSeq) {
                missing.add(new SeqRange(expected, endSeq));
            }
            boolean ended = endSeq != null;
            String status = ended && missing.isEmpty() ? "complete" : "incomplete";
            if ("incomplete".equals(status) && !mayBeIncomplete) {
                return Outcome.NOT_READY;
            }
            // the ledger position is taken only now, once the recording will be stored (a retry keeps it)
            RecordingWriter.LedgerLink link = ledger.position(sessionId);
            events = writer.seal(
                    new RecordingWriter.SealInfo(sessionId, status, missing, ended, auth.sourceAuth(), link), signer);
            ledgerIndex = link.index();
            if (castFile != null) {
                if (!castStarted) {
                    asciicast.header(start, null, title);
                }
                cast = asciicast.finish();
            }
        }
        if (castStored != null) {
            castStored.close();
        }
        String eventsKey = RecordingKeys.key(start, sessionId, eventsStored.extension(RecordingKeys.EVENTS_EXT));
        store.put(
                eventsKey,
                eventsFile,
                eventsStored.storedSize(),
                eventsStored.storedSha256(),
                eventsStored.encoding() == null ? "application/x-ndjson" : "application/gzip");
        String castKey = null;
        if (cast != null) {
            castKey = RecordingKeys.key(start, sessionId, castStored.extension(RecordingKeys.CAST_EXT));
            store.put(
                    castKey,
                    castFile,
                    castStored.storedSize(),
                    castStored.storedSha256(),
                    castStored.encoding() == null ? "application/x-asciicast" : "application/gzip");
        }
        boolean complete = missing.isEmpty() && endSeq != null;
        String tags = s.getString("tags");
        if (tags == null) {
            Map<String, String> t = catalog.tags(s.getString("connection"));
            tags = t.isEmpty() ? null : JsonSupport.MAPPER.writeValueAsString(t);
        }
        Object[] params = {
            sessionId,
            complete ? "complete" : "incomplete",
            endSeq != null,
            SeqRanges.format(missing),
            events.events(),
            requests,
            denials,
            reviews,
            eventsKey,
            events.size(),
            events.sha256(),
            events.chainHead(),
            castKey,
            cast == null ? null : cast.size(),
            cast == null ? null : cast.sha256(),
            tags,
            buffered,
            signer.keyId(),
            ledgerIndex,
            eventsStored.encoding(),
            eventsStored.storedSize(),
            eventsStored.storedSha256(),
            cast == null ? null : castStored.storedSize(),
            cast == null ? null : castStored.storedSha256()
        };
        boolean updated = await(pool.withTransaction(conn -> conn.preparedQuery("""
                UPDATE recorded_session SET status = $2, ended = $3, missing = NULLIF($4, ''), event_count = $5,
                    request_count = $6, denial_count = $7, review_count = $8, object_key = $9, size_bytes = $10,
                    sha256 = $11, chain_head = $12, cast_key = $13, cast_size_bytes = $14, cast_sha256 = $15,
                    tags = COALESCE(tags, $16), finalized_at = now(), lease_until = NULL, key_id = $18,
                    ledger_idx = $19, content_encoding = $20, stored_size_bytes = $21, stored_sha256 = $22,
                    cast_stored_size_bytes = $23, cast_stored_sha256 = $24
                WHERE session_id = $1 AND status = 'recording' AND buffered = $17""")
                .execute(Tuple.from(params))
                .chain(rs -> rs.rowCount() == 1
                        ? conn.preparedQuery("DELETE FROM session_event_buffer WHERE session_id = $1")
                                .execute(Tuple.of(sessionId))
                                .replaceWith(true)
                        : Uni.createFrom().item(false))));
        if (!updated) {
            // an event arrived while assembling; the sweeper will assemble it again
            return Outcome.NOT_READY;
        }
        registry.counter("recorder.recordings.finalized", "status", complete ? "complete" : "incomplete")
                .increment();
        if (complete) {
            LOG.infof(
                    "session %s recorded complete: %d events, %d bytes (%d stored), sha256 %s",
                    sessionId, events.events(), events.size(), eventsStored.storedSize(), events.sha256());
        } else {
            LOG.warnf(
                    "session %s recorded INCOMPLETE: %d events, missing seq %s%s",
                    sessionId,
                    events.events(),
                    missing.isEmpty() ? "-" : SeqRanges.format(missing),
                    endSeq == null ? ", never ended" : "");
        }
        return complete ? Outcome.COMPLETE : Outcome.INCOMPLETE;
    }

    private CompletableFuture<RowSet<Row>> page(String sessionId, long after, int limit) {
        return pool.preparedQuery("""
                        SELECT seq, type, event_time, action, payload FROM session_event_buffer
                        WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""")
                .execute(Tuple.of(sessionId, after, limit))
                .subscribeAsCompletionStage();
    }

    private static RowSet<Row> awaitPage(CompletableFuture<RowSet<Row>> page) throws IOException {
        try {
            return page.get(DB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted reading staged events");
        } catch (ExecutionException e) {
            throw new IOException("reading staged events failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("reading staged events took over " + DB_TIMEOUT, e);
        }
    }

    private void renewLease(String sessionId) {
        await(pool.preparedQuery("UPDATE recorded_session SET lease_until = now() + make_interval(secs => $2) "
                        + "WHERE session_id = $1")
                .execute(Tuple.of(sessionId, (double) LEASE.toSeconds())));
    }

    private static JsonNode parse(byte[] payload, int offset, int length) throws IOException {
        try {
            return JsonSupport.MAPPER.readTree(payload, offset, length);
        } catch (JsonProcessingException e) {
            throw new IOException("staged event is not JSON", e);
        }
    }

    private static Instant firstNonNull(OffsetDateTime... times) {
        for (OffsetDateTime t : times) {
            if (t != null) {
                return t.toInstant();
            }
        }
        throw new IllegalStateException("no time");
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(DB_TIMEOUT);
    }

    /** Sessions the sweeper should look at. Blocking. */
    public List<String> candidates(int limit) {
        Duration shortest = catalog.shortestMaxSessionDuration()
                .filter(d -> d.compareTo(config.sessions().maxDuration()) < 0)
                .orElse(config.sessions().maxDuration())
                .plus(config.sessions().grace());
        RowSet<Row> rows = await(pool.preparedQuery("""
                SELECT session_id FROM recorded_session
                WHERE status = 'recording' AND (lease_until IS NULL OR lease_until < now())
                  AND ((end_seq IS NOT NULL AND (buffered >= end_seq + 1 OR last_event_at < now() - make_interval(secs => $1)))
                    OR (end_seq IS NULL AND COALESCE(started_at, first_event_at, first_seen_at) < now() - make_interval(secs => $2)))
                ORDER BY last_event_at LIMIT $3""")
                .execute(Tuple.of(seconds(config.ingest().gapHold()), seconds(shortest), limit)));
        List<String> ids = new ArrayList<>();
        rows.forEach(r -> ids.add(r.getString(0)));
        return ids;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(20, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}
