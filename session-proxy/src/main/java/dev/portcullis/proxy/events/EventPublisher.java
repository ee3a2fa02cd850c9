package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventSources;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.proxy.config.ProxyConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes CloudEvents to Kafka from one publisher thread, so callers (event loops) only enqueue and never wait on
 * Kafka. How an event reaches Kafka or the spool, and when it counts as recorded: {@link EventDelivery}
 * (docs/architecture.md "Delivery", ADR 0023). Nothing is dropped silently: what is given up is counted
 * ({@code portcullis.events.lost}), logged once per episode, and its {@link Recorded} hears false, so the request it
 * belongs to is refused rather than run unrecorded.
 *
 * <p>Events are contracts' {@link CloudEvent}; {@link EventJson} writes them on the publisher thread.
 */
@ApplicationScoped
// native: review.requested's data (a contracts record) is written by Vert.x's Jackson codec
@RegisterForReflection(targets = {ReviewRequested.class, ReviewRequested.HistoryEntry.class})
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);
    static final String TRACEPARENT = "traceparent";

    private final ProxyConfig config;
    private final AtomicLong refusedRequests = new AtomicLong();
    private volatile boolean running = true;
    private Producer<String, String> producer;
    private EventDelivery delivery;
    private Thread thread;
    private final SessionEventAuth sessionEventAuth;
    /** Events journaled on their caller's thread ({@code portcullis.events.journal-inline}). */
    private final boolean inlineJournal;

    public EventPublisher(ProxyConfig config) {
        this(config, null);
    }

    @Inject
    public EventPublisher(ProxyConfig config, MeterRegistry registry) {
        this.config = config;
        this.inlineJournal = config.events().enabled()
                && config.events().writeAhead()
                && config.events().journal()
                && config.events().journalInline();
        // session events are tagged where they are built (SessionRecorder); the key lives with the publisher
        this.sessionEventAuth =
                config.events().enabled() ? SessionEventAuth.load(config.eventAuth()) : SessionEventAuth.NONE;
        if (!config.events().enabled()) {
            return;
        }
        ProxyConfig.Events ev = config.events();
        Properties p = producerConfig(config.kafka().bootstrapServers(), ev.bufferBytes(), ev.linger(), ev.sendBlock());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, ev.compression());
        EventSpool spool;
        try {
            spool = new EventSpool(Path.of(ev.spoolDir()), ev.spoolMaxBytes(), ev.spoolSegmentBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the event spool " + ev.spoolDir(), e);
        }
        EventJournal journal = null;
        if (ev.writeAhead() && ev.journal()) {
            try {
                journal = new EventJournal(Path.of(ev.spoolDir()), ev.spoolSegmentBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the write-ahead journal in " + ev.spoolDir(), e);
            }
        }
        producer = new KafkaProducer<>(p);
        delivery = new EventDelivery(producer, spool, journal, settings(ev), System::nanoTime);
        if (registry != null) {
            meters(registry);
        }
        thread = Thread.ofPlatform().name("portcullis-event-publisher").daemon().start(this::run);
    }

    /**
     * The producer: {@code acks=all}, idempotent, batched. {@code send()} blocks only for metadata or a full buffer:
     * the buffer is four times the ledger's budget, and missing metadata is a stall after {@code sendBlock}.
     */
    static Properties producerConfig(String bootstrap, long bufferBytes, Duration linger, Duration sendBlock) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger.toMillis()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(Math.max(33_554_432L, 4 * bufferBytes)));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(sendBlock.toMillis()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(3000 + Math.max(3000, linger.toMillis())));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "session-proxy-events");
        return p;
    }

    static EventDelivery.Settings settings(ProxyConfig.Events ev) {
        return new EventDelivery.Settings(
                ev.bufferBytes(),
                ev.memoryMaxBytes(),
                ev.stallTimeout(),
                ev.retryInterval(),
                ev.whenUnrecorded() == ProxyConfig.WhenUnrecorded.REFUSE);
    }

    private void meters(MeterRegistry r) {
        counter(
                r,
                "portcullis.events.published",
                "events Kafka acknowledged",
                d -> d.stats().published());
        counter(
                r,
                "portcullis.events.spooled",
                "events written to the spool",
                d -> d.stats().spooled());
        counter(
                r,
                "portcullis.events.replayed",
                "spooled events Kafka acknowledged",
                d -> d.stats().replayed());
        counter(
                r,
                "portcullis.events.lost",
                "events given up: their request was refused",
                d -> d.stats().lost());
        counter(
                r,
                "portcullis.events.stalls",
                "times Kafka stopped acknowledging",
                d -> d.stats().stalls());
        FunctionCounter.builder("portcullis.events.refused.requests", refusedRequests, AtomicLong::get)
                .description("requests refused because their events could not be recorded")
                .register(r);
        gauge(r, "portcullis.events.unacknowledged.bytes", d -> d.stats().unacknowledgedBytes());
        gauge(r, "portcullis.events.held.bytes", d -> d.stats().heldBytes());
        gauge(r, "portcullis.events.spool.bytes", d -> d.stats().spoolBytes());
    }

    private void counter(MeterRegistry r, String name, String description, ToDoubleFunction<EventDelivery> f) {
        FunctionCounter.builder(name, delivery, f).description(description).register(r);
    }

    private void gauge(MeterRegistry r, String name, ToDoubleFunction<EventDelivery> f) {
        Gauge.builder(name, delivery, f).baseUnit("bytes").register(r);
    }

    /** {@code review.requested} (review-requests): keyed by and about its review. */
    public static CloudEvent<ReviewRequested> reviewRequested(ReviewRequested data) {
        return CloudEvent.of(EventSources.SESSION_PROXY, EventTypes.REVIEW_REQUESTED, data.reviewId(), data);
    }

    /**
     * A session event (docs/architecture.md, "Events"): the envelope plus session id, seq, agent and connection
     * ({@link CloudEvent#session}).
     */
    public static CloudEvent<JsonObject> sessionEvent(
            String type, String sessionId, long seq, String agent, String connection, JsonObject data) {
        return CloudEvent.session(EventSources.SESSION_PROXY, type, sessionId, seq, agent, connection, data);
    }

    /** Non-blocking; safe on an event loop. {@code event} is encoded later, so the caller must not change its data. */
    public void publish(String topic, String key, CloudEvent<?> event) {
        publish(topic, key, event, Recorded.IGNORED);
    }

    /**
     * Non-blocking; {@code recorded} hears once, on the publisher thread, whether the event is recorded
     * (acknowledged or spooled). With events disabled (tests without Kafka) it hears true at once.
     */
    public void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
        if (delivery == null) {
            recorded.recorded(true);
            return;
        }
        delivery.offer(new EventDelivery.Event(topic, key, () -> EventJson.encode(event), traceparent(), recorded));
    }

    /**
     * As {@link #publish(String, String, CloudEvent, Recorded)}, for an event the caller has written already: {@code
     * json} is what is sent ({@code event} is what it says, for subclasses that watch events).
     */
    public void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
        if (delivery == null) {
            recorded.recorded(true);
            return;
        }
        EventDelivery.Event e = new EventDelivery.Event(topic, key, () -> json, traceparent(), recorded);
        // nobody waits for an outcome to be recorded (write-ahead waits for requests and decisions): it rides on the
        // next flush rather than paying a write of its own (issue 16)
        e.lazy = EventTypes.SESSION_OUTPUT.equals(event.type());
        if (inlineJournal) {
            delivery.recordNow(e, json); // recorded on this thread when it can be, else queued like offer
        } else {
            delivery.offer(e);
        }
    }

    /**
     * The caller's trace context as a W3C {@code traceparent} (the proxy's Kafka client is not traced
     * by Quarkus, so the header is added here), or null outside a trace.
     */
    static String traceparent() {
        String[] value = new String[1];
        W3CTraceContextPropagator.getInstance().inject(Context.current(), value, (v, name, text) -> {
            if (TRACEPARENT.equals(name)) {
                v[0] = text;
            }
        });
        return value[0];
    }

    /** The source tagging of session events (docs/architecture.md "Events", {@code authtag}). */
    public SessionEventAuth sessionEventAuth() {
        return sessionEventAuth;
    }

    /** False while events cannot currently be delivered or spooled (the spool is full, or memory nearly). */
    public boolean canRecord() {
        return delivery == null
                || (!delivery.stats().spoolFull()
                        && delivery.stats().heldBytes() < config.events().memoryMaxBytes() / 2);
    }

    /** Whether requests wait for their events to be recorded before they are forwarded (write-ahead). */
    public boolean writeAhead() {
        return delivery != null && config.events().writeAhead();
    }

    /** How long a request waits for its events to be recorded before it is refused. */
    public Duration holdTimeout() {
        return config.events().holdTimeout();
    }

    /** Counts a request refused because its events could not be recorded (a metric, see {@link #meters}). */
    public void requestRefused() {
        refusedRequests.incrementAndGet();
    }

    /** Events given up (never recorded). */
    public long dropped() {
        return delivery == null ? 0 : delivery.stats().lost();
    }

    public long published() {
        return delivery == null ? 0 : delivery.stats().published();
    }

    private void run() {
        try {
            while (running) {
                try {
                    delivery.step(TimeUnit.MILLISECONDS.toNanos(50));
                } catch (RuntimeException e) {
                    // a bug, not Kafka (EventDelivery handles its failures): keep publishing what can be
                    LOG.errorf(e, "event publisher");
                }
            }
            // shutting down: give the producer a moment for what is in flight, then spool the rest
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (!delivery.settled() && System.nanoTime() < deadline) {
                delivery.step(TimeUnit.MILLISECONDS.toNanos(10));
            }
            delivery.spoolRemaining();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "event publisher: shutting down");
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(1));
        }
    }
}
