package dev.portcullis.policy.decisionlog;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventSources;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.policy.config.PolicyConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Sends decision logs without ever holding a decision up for Kafka. At most
 * {@code portcullis.policy.decision-log.max-pending} logs are on their way (handed to the channel
 * and not yet acknowledged by Kafka); beyond that, {@link #publish} says no and the decision is refused
 * ({@code portcullis_decision_logs_refused_total}) rather than made without its log. A log Kafka refuses after it
 * was queued is dropped and counted ({@code portcullis_decision_logs_dropped_total}), at most
 * {@code max-pending} of them per outage. Either way readiness reports it. The bound is ours, not the connector's
 * internal queues', so it holds whatever they do.
 *
 * <p>Each record is a CloudEvent in binary mode (contracts' {@code DecisionLog}): the value is the decision log
 * itself, the attributes are {@code ce_*} headers the connector writes from the metadata here.
 */
@ApplicationScoped
public class DecisionLogPublisher {

    private static final Logger LOG = Logger.getLogger(DecisionLogPublisher.class);
    private static final URI SOURCE = URI.create(EventSources.POLICY_SERVICE);
    private static final URI DATASCHEMA = URI.create(CloudEvent.DATASCHEMA_V1);

    @Inject
    @Channel(Topics.DECISION_LOGS)
    @OnOverflow(OnOverflow.Strategy.BUFFER)
    Emitter<byte[]> emitter;

    private final int maxPending;
    private final long maxPendingBytes;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Counter dropped;
    private final Counter sent;
    private final Counter refused;
    private final AtomicLong lastLossNanos = new AtomicLong();
    private volatile boolean anyLoss;

    @Inject
    public DecisionLogPublisher(MeterRegistry registry, PolicyConfig config) {
        this.maxPending = config.decisionLog().maxPending();
        this.maxPendingBytes = config.decisionLog().maxPendingBytes();
        Gauge.builder("portcullis.decision.logs.pending", pending, AtomicInteger::get)
                .description("Decision logs handed to Kafka and not yet acknowledged")
                .register(registry);
        this.dropped = Counter.builder("portcullis.decision.logs.dropped")
                .description("Decision logs lost because the buffer was full or Kafka refused them")
                .register(registry);
        this.refused = Counter.builder("portcullis.decision.logs.refused")
                .description("Decisions refused because their log could not be queued for Kafka")
                .register(registry);
        this.sent = Counter.builder("portcullis.decision.logs.sent")
                .description("Decision logs acknowledged by Kafka")
                .register(registry);
    }

    /**
     * Queues the log, serialised (and its input masked) here, so that its size is known and only bytes wait for
     * Kafka; false (nothing queued, the decision must be refused) when {@code max-pending} logs or
     * {@code max-pending-bytes} bytes are on their way. The byte bound keeps every pending log within the producer's
     * {@code buffer.memory}, so the connector needs no cap of its own (policy-service/README.md, "Decision logs").
     */
    public boolean publish(DecisionLogEvent event) {
        byte[] value = DecisionLogSerializer.toBytes(event);
        long size = value.length;
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            refusedOne("more than " + maxPending + " logs pending");
            return false;
        }
        if (pendingBytes.addAndGet(size) > maxPendingBytes) {
            pendingBytes.addAndGet(-size);
            pending.decrementAndGet();
            refusedOne("more than " + maxPendingBytes + " bytes of logs pending");
            return false;
        }
        Message<byte[]> message = Message.of(
                value,
                Metadata.of(
                        OutgoingKafkaRecordMetadata.<String>builder()
                                .withKey(event.decisionId())
                                .build(),
                        // the id is the connector's (a random UUID per record), as it has always been
                        OutgoingCloudEventMetadata.builder()
                                .withType(EventTypes.DECISION)
                                .withSource(SOURCE)
                                .withDataSchema(DATASCHEMA)
                                .build()),
                () -> {
                    pending.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    sent.increment();
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    pending.decrementAndGet();
                    pendingBytes.addAndGet(-size);
                    lost("Kafka refused it: " + failure.getClass().getSimpleName());
                    return CompletableFuture.completedFuture(null);
                });
        try {
            emitter.send(message);
            return true;
        } catch (RuntimeException e) {
            // emitter buffer full or channel not ready: refuse the decision, never wait
            pending.decrementAndGet();
            pendingBytes.addAndGet(-size);
            refusedOne("channel refused it");
            return false;
        }
    }

    private void refusedOne(String why) {
        refused.increment();
        long previous = lastLossNanos.getAndSet(System.nanoTime());
        anyLoss = true;
        if (System.nanoTime() - previous > 10_000_000_000L) {
            LOG.warnf("decision refused: its log cannot be queued (%s); total refused %d", why, (long) refused.count());
        }
    }

    private void lost(String why) {
        dropped.increment();
        long previous = lastLossNanos.getAndSet(System.nanoTime());
        anyLoss = true;
        if (System.nanoTime() - previous > 10_000_000_000L) {
            LOG.warnf("decision log dropped (%s); total dropped %d", why, (long) dropped.count());
        }
    }

    public long droppedCount() {
        return (long) dropped.count();
    }

    public long refusedCount() {
        return (long) refused.count();
    }

    public long sentCount() {
        return (long) sent.count();
    }

    /** Nanoseconds since the last lost log, or -1 if none was ever lost. */
    public long nanosSinceLastLoss() {
        return anyLoss ? System.nanoTime() - lastLossNanos.get() : -1;
    }
}
