package dev.portcullis.recorder.retention;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.portcullis.recorder.config.RecorderConfig;
import dev.portcullis.recorder.connection.ConnectionCatalog;
import dev.portcullis.recorder.entity.RecordedSession;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.ingest.RecordingLedger;
import dev.portcullis.recorder.repository.SessionRepository;
import dev.portcullis.recorder.storage.RecordingStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Deletes recordings past their connection's retention period: the stored objects first, then the
 * metadata row, each deletion logged. A recording whose object cannot be deleted keeps its row and
 * is tried again next run. Download audit rows are kept.
 */
@ApplicationScoped
public class RetentionService {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {};

    private final SessionRepository sessions;
    private final RecordingStore store;
    private final ConnectionCatalog catalog;
    private final RetentionPolicy policy;
    private final int batchSize;
    private final MeterRegistry registry;
    private final RecordingLedger ledger;

    RetentionService(
            SessionRepository sessions,
            RecordingStore store,
            ConnectionCatalog catalog,
            RecorderConfig config,
            MeterRegistry registry,
            RecordingLedger ledger) {
        this.ledger = ledger;
        this.sessions = sessions;
        this.store = store;
        this.catalog = catalog;
        this.policy = new RetentionPolicy(
                config.retention().defaultPeriod(), config.retention().byTag().orElse(List.of()));
        this.batchSize = config.retention().batchSize();
        this.registry = registry;
    }

    @Scheduled(
            every = "${portcullis.retention.interval}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            run(OffsetDateTime.now(ZoneOffset.UTC));
        } catch (Throwable e) {
            LOG.warnf("retention run failed (next run retries): %s", e.toString());
        }
    }

    /** Deletes what has expired at {@code now}; returns the ids deleted. Blocking (worker thread). */
    public List<String> run(OffsetDateTime now) throws Throwable {
        RecordingStore.requireBlockingAllowed("retention");
        OffsetDateTime cutoff = now.minus(policy.shortest());
        List<RecordedSession> candidates = VertxContextSupport.subscribeAndAwait(
                () -> Panache.withSession(() -> sessions.finalizedBefore(cutoff, batchSize)));
        List<String> deleted = new java.util.ArrayList<>();
        for (RecordedSession s : candidates) {
            Map<String, String> tags = tags(s);
            Duration period = policy.periodFor(tags);
            OffsetDateTime end = s.endedAt != null ? s.endedAt : s.effectiveStart();
            if (!end.plus(period).isBefore(now)) {
                continue;
            }
            try {
                // the ledger says first that retention removed it: the gap it leaves is not a deletion to hide
                ledger.expired(s.sessionId).await().atMost(Duration.ofSeconds(30));
                if (s.objectKey != null) {
                    store.delete(s.objectKey);
                }
                if (s.castKey != null) {
                    store.delete(s.castKey);
                }
            } catch (IOException e) {
                LOG.warnf(
                        "retention: could not delete the recording of session %s (kept for the next run): %s",
                        s.sessionId, e.getMessage());
                continue;
            }
            String id = s.sessionId;
            VertxContextSupport.subscribeAndAwait(() ->
                    Panache.withTransaction(() -> sessions.delete("sessionId = ?1 and status <> 'recording'", id)));
            registry.counter("recorder.retention.deleted").increment();
            LOG.infof(
                    "retention: deleted recording of session %s (connection %s, tags %s, ended %s, retention %s)",
                    id, s.connection, tags, end, period);
            deleted.add(id);
        }
        return deleted;
    }

    private Map<String, String> tags(RecordedSession s) {
        if (s.tags != null) {
            try {
                return JsonSupport.MAPPER.readValue(s.tags, TAGS);
            } catch (IOException e) {
                LOG.debugf("session %s has unreadable tags", s.sessionId);
            }
        }
        return catalog.tags(s.connection);
    }
}
