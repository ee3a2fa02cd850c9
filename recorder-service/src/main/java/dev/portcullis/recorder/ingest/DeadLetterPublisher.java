package dev.portcullis.recorder.ingest;

import dev.portcullis.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Parks unusable input on a dead-letter topic, with the reason and source position in headers.
 * The returned {@code Uni} completes when Kafka has acknowledged every record, so the source offset
 * is committed only once the record is parked.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);
    /** Kafka's default message size limit is 1 MiB; an oversized record is parked truncated. */
    static final int MAX_PARKED_BYTES = 900 * 1024;

    @Inject
    @Channel(Topics.SESSION_EVENTS_DLQ)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 2048)
    MutinyEmitter<byte[]> sessionEvents;

    @Inject
    @Channel(Topics.DECISION_LOGS_DLQ)
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 2048)
    MutinyEmitter<byte[]> decisionLogs;

    @Inject
    MeterRegistry registry;

    public Uni<Void> park(List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom()
                .iterable(letters)
                .onItem()
                .transformToUni(this::park)
                .merge(32)
                .collect()
                .last()
                .replaceWithVoid();
    }

    private Uni<Void> park(DeadLetter d) {
        registry.counter(
                        "recorder.dead.letters",
                        "topic",
                        d.sourceTopic(),
                        "reason",
                        d.rejection().reason())
                .increment();
        LOG.warnf(
                "parking %s-%d@%d (key %s) on the dead-letter topic: %s (%s)",
                d.sourceTopic(),
                d.partition(),
                d.offset(),
                d.key() == null ? "-" : d.key(),
                d.rejection().reason(),
                d.rejection().detail());
        byte[] value = d.value() == null ? new byte[0] : d.value();
        RecordHeaders headers = new RecordHeaders();
        headers.add(DeadLetter.HEADER_REASON, d.rejection().reason().getBytes(StandardCharsets.UTF_8));
        headers.add(
                DeadLetter.HEADER_DETAIL, String.valueOf(d.rejection().detail()).getBytes(StandardCharsets.UTF_8));
        headers.add(
                DeadLetter.HEADER_SOURCE,
                (d.sourceTopic() + "-" + d.partition() + "@" + d.offset()).getBytes(StandardCharsets.UTF_8));
        if (value.length > MAX_PARKED_BYTES) {
            headers.add(
                    DeadLetter.HEADER_ORIGINAL_SIZE,
                    Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
            value = Arrays.copyOf(value, MAX_PARKED_BYTES);
        }
        Message<byte[]> message = Message.of(value)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(d.key())
                        .withHeaders(headers)
                        .build());
        MutinyEmitter<byte[]> emitter = Topics.DECISION_LOGS.equals(d.sourceTopic()) ? decisionLogs : sessionEvents;
        return emitter.sendMessage(message);
    }
}
