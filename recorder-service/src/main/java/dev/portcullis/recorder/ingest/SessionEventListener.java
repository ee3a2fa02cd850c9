package dev.portcullis.recorder.ingest;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.recorder.config.RecorderConfig;
import dev.portcullis.recorder.events.Rejection;
import dev.portcullis.recorder.events.SessionEvent;
import dev.portcullis.recorder.events.SessionEventParser;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code session-events} in batches. A batch is acknowledged (and its offsets become
 * committable) only after its events are staged in PostgreSQL and its bad records are parked on
 * the dead-letter topic: a crash at any point redelivers, and staging is idempotent.
 */
@ApplicationScoped
public class SessionEventListener {

    private static final Logger LOG = Logger.getLogger(SessionEventListener.class);

    private final SessionEventStore store;
    private final DeadLetterPublisher deadLetters;
    private final RecordingFinalizer finalizer;
    private final SessionEventParser parser;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter redactions;
    private final Counter unauthenticated;
    private final EventAuthenticator auth;
    private final AtomicLong lastForgeryLog = new AtomicLong();

    SessionEventListener(
            SessionEventStore store,
            DeadLetterPublisher deadLetters,
            RecordingFinalizer finalizer,
            RecorderConfig config,
            MeterRegistry registry,
            EventAuthenticator auth) {
        this.auth = auth;
        this.unauthenticated = registry.counter("recorder.events", "result", "unauthenticated");
        this.store = store;
        this.deadLetters = deadLetters;
        this.finalizer = finalizer;
        this.parser = new SessionEventParser(config.ingest().maxEventBytes());
        this.stored = registry.counter("recorder.events", "result", "stored");
        this.duplicates = registry.counter("recorder.events", "result", "duplicate");
        this.redactions = registry.counter("recorder.events.redacted.values");
    }

    @Incoming(Topics.SESSION_EVENTS)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<SessionEvent> events = new ArrayList<>(batch.getRecords().size());
        List<DeadLetter> rejected = new ArrayList<>();
        List<KafkaRecord<String, byte[]>> records = batch.getRecords();
        // the record each staged event came from, by position (only a late event ever needs it)
        List<KafkaRecord<String, byte[]>> origins = new ArrayList<>(records.size());
        for (KafkaRecord<String, byte[]> r : records) {
            SessionEventParser.Result result = parser.parse(r.getPayload());
            EventAuth.Verdict refused =
                    result.event() == null ? null : auth.refusal(result.event().sessionId(), r.getPayload());
            if (refused != null) {
                // not the proxy's (e.g. produced straight to Kafka): parked, never staged, so it cannot take
                // the (session, seq) of the genuine event
                unauthenticated.increment();
                logForgery(result.event().sessionId(), refused);
                rejected.add(new DeadLetter(
                        r.getTopic(),
                        r.getPartition(),
                        DeadLetter.offsetOf(r),
                        r.getKey(),
                        r.getPayload(),
                        new Rejection(
                                Rejection.UNAUTHENTICATED,
                                "source tag " + refused.name().toLowerCase(Locale.ROOT) + " (seq "
                                        + result.event().seq() + ")")));
            } else if (result.event() != null) {
                events.add(result.event());
                origins.add(r);
                if (result.redacted() > 0) {
                    redactions.increment(result.redacted());
                }
            } else {
                rejected.add(new DeadLetter(
                        r.getTopic(),
                        r.getPartition(),
                        DeadLetter.offsetOf(r),
                        r.getKey(),
                        r.getPayload(),
                        result.rejection()));
            }
        }
        return Uni.createFrom()
                .deferred(() -> deadLetters
                        .park(rejected)
                        .chain(() -> store.stage(events))
                        .call(staged -> deadLetters.park(lateLetters(staged.closed(), events, origins)))
                        .invoke(staged -> {
                            stored.increment(staged.stored());
                            duplicates.increment(staged.duplicates());
                            staged.ready().forEach(finalizer::submit);
                        }))
                // staging must succeed before the offsets move on: retry (PostgreSQL or Kafka down) rather than skip
                .onFailure()
                .invoke(e -> LOG.warnf(
                        "staging a batch of %d session events failed, retrying: %s", records.size(), e.toString()))
                .onFailure()
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** Once per 10 s at most, with the running count: a flood of forgeries must not flood the log. */
    private void logForgery(String sessionId, EventAuth.Verdict verdict) {
        long now = System.nanoTime();
        long last = lastForgeryLog.get();
        if ((last == 0 || now - last > 10_000_000_000L) && lastForgeryLog.compareAndSet(last, now)) {
            LOG.errorf(
                    "UNAUTHENTICATED session event refused (tag %s) for session %s: not produced by a session-proxy; "
                            + "parked on the dead-letter topic (%d so far)",
                    verdict, sessionId, (long) unauthenticated.count());
        }
    }

    private static List<DeadLetter> lateLetters(
            List<SessionEvent> late, List<SessionEvent> events, List<KafkaRecord<String, byte[]>> origins) {
        if (late.isEmpty()) {
            return List.of();
        }
        Map<SessionEvent, KafkaRecord<String, byte[]>> origin = new IdentityHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            origin.put(events.get(i), origins.get(i));
        }
        return late.stream().map(e -> lateLetter(origin.get(e), e)).toList();
    }

    private static DeadLetter lateLetter(KafkaRecord<String, byte[]> r, SessionEvent e) {
        return new DeadLetter(
                r.getTopic(),
                r.getPartition(),
                DeadLetter.offsetOf(r),
                r.getKey(),
                r.getPayload(),
                new Rejection(Rejection.SESSION_CLOSED, "seq " + e.seq() + " arrived after the recording was closed"));
    }
}
