package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventSources;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.proxy.config.ProxyConfig;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes CloudEvents to Kafka from one publisher thread, so callers (event loops) only enqueue.
 * The producer batches (linger) for throughput. When Kafka cannot be reached, events go to a
 * bounded on-disk spool (JSON lines) and are replayed in order once it is back; while the spool
 * holds anything, new events are appended behind it so order is kept. Nothing is dropped silently:
 * a full spool is logged as an error and counted, and {@link #canRecord()} turns false.
 *
 * <p>Events are contracts' {@link CloudEvent}; {@link EventJson} writes them on the publisher thread.
 */
@ApplicationScoped
// native: review.requested's data (a contracts record) is written by Vert.x's Jackson codec
@RegisterForReflection(targets = ReviewRequested.class)
public class EventPublisher {

    private static final Logger LOG = Logger.getLogger(EventPublisher.class);
    static final String TRACEPARENT = "traceparent";

    /**
     * An event on its way; the JSON is encoded on the publisher thread, not on the caller's event loop.
     * {@code traceparent}: the W3C trace context of the caller (the session's span), or null.
     */
    record Outgoing(String topic, String key, CloudEvent<?> event, String encoded, String traceparent) {
        Outgoing(String topic, String key, String value, String traceparent) {
            this(topic, key, null, value, traceparent);
        }

        String value() {
            return encoded != null ? encoded : EventJson.encode(event);
        }
    }

    private final ProxyConfig config;
    private final BlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(100_000);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final Path spool;
    private final List<Outgoing> failedInFlight = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean spoolFull;
    private KafkaProducer<String, String> producer;
    private Thread thread;
    private long nextReplayAt;
    private final SessionEventAuth sessionEventAuth;

    public EventPublisher(ProxyConfig config) {
        this.config = config;
        // session events are tagged where they are built (SessionRecorder); the key lives with the publisher
        this.sessionEventAuth =
                config.events().enabled() ? SessionEventAuth.load(config.eventAuth()) : SessionEventAuth.NONE;
        this.spool = Path.of(config.events().spoolDir()).toAbsolutePath().resolve("events.jsonl");
        if (config.events().enabled()) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "6000");
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "session-proxy-events");
            producer = new KafkaProducer<>(p);
            thread = Thread.ofPlatform()
                    .name("portcullis-event-publisher")
                    .daemon()
                    .start(this::run);
        }
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
        if (!config.events().enabled()) {
            return;
        }
        // the event must not be changed by the caller once published (every caller builds a fresh one)
        if (!queue.offer(new Outgoing(topic, key, event, null, traceparent()))) {
            long n = dropped.incrementAndGet();
            LOG.errorf("event queue full: event %s of %s not recorded (%d so far)", event.type(), key, n);
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

    private static ProducerRecord<String, String> record(String topic, String key, String value, String traceparent) {
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
        if (traceparent != null) {
            r.headers().add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    /** The source tagging of session events (docs/architecture.md "Events", {@code authtag}). */
    public SessionEventAuth sessionEventAuth() {
        return sessionEventAuth;
    }

    /** False when events cannot currently be delivered or spooled. */
    public boolean canRecord() {
        return !spoolFull && queue.remainingCapacity() > 1000;
    }

    public long dropped() {
        return dropped.get();
    }

    public long published() {
        return published.get();
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            try {
                Outgoing o = queue.poll(100, TimeUnit.MILLISECONDS);
                List<Outgoing> failed;
                synchronized (failedInFlight) {
                    failed = failedInFlight.isEmpty() ? List.of() : new ArrayList<>(failedInFlight);
                    failedInFlight.clear();
                }
                for (Outgoing f : failed) {
                    appendToSpool(f);
                }
                if (Files.exists(spool)) {
                    if (o != null) {
                        appendToSpool(o);
                        queue.drainTo(new SpoolSink(), 10_000);
                    }
                    replaySpool();
                } else if (o != null) {
                    send(o);
                    List<Outgoing> batch = new ArrayList<>();
                    queue.drainTo(batch, 10_000);
                    batch.forEach(this::send);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf("event publisher: %s", e.toString());
            }
        }
    }

    private final class SpoolSink extends java.util.AbstractCollection<Outgoing> {
        @Override
        public boolean add(Outgoing o) {
            appendToSpool(o);
            return true;
        }

        @Override
        public java.util.Iterator<Outgoing> iterator() {
            return java.util.Collections.emptyIterator();
        }

        @Override
        public int size() {
            return 0;
        }
    }

    private void send(Outgoing pending) {
        Outgoing o = pending.encoded() != null
                ? pending
                : new Outgoing(pending.topic(), pending.key(), pending.value(), pending.traceparent());
        try {
            producer.send(record(o.topic, o.key, o.encoded, o.traceparent), (md, e) -> {
                if (e != null) {
                    synchronized (failedInFlight) {
                        failedInFlight.add(o);
                    }
                } else {
                    published.incrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("Kafka unavailable (%s): spooling events to %s", e.getMessage(), spool);
            appendToSpool(o);
        }
    }

    private void appendToSpool(Outgoing o) {
        try {
            Files.createDirectories(spool.getParent());
            if (Files.exists(spool) && Files.size(spool) > config.events().spoolMaxBytes()) {
                spoolFull = true;
                long n = dropped.incrementAndGet();
                LOG.errorf(
                        "event spool %s is full (%d bytes): event for %s not recorded (%d so far)",
                        spool, config.events().spoolMaxBytes(), o.key, n);
                return;
            }
            JsonObject spooled =
                    new JsonObject().put("topic", o.topic).put("key", o.key).put("value", o.value());
            if (o.traceparent != null) {
                spooled.put(TRACEPARENT, o.traceparent);
            }
            String line = spooled.encode() + "\n";
            Files.writeString(
                    spool, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            spoolFull = true;
            long n = dropped.incrementAndGet();
            LOG.errorf("cannot write event spool %s: %s (%d events not recorded)", spool, e.getMessage(), n);
        }
    }

    private void replaySpool() {
        long now = System.currentTimeMillis();
        if (now < nextReplayAt) {
            return;
        }
        nextReplayAt = now + 1000;
        List<String> lines;
        try {
            lines = Files.readAllLines(spool, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.errorf("cannot read event spool %s: %s", spool, e.getMessage());
            return;
        }
        int sent = 0;
        try {
            for (String line : lines) {
                if (line.isBlank()) {
                    sent++;
                    continue;
                }
                JsonObject j = new JsonObject(line);
                producer.send(record(
                                j.getString("topic"),
                                j.getString("key"),
                                j.getString("value"),
                                j.getString(TRACEPARENT)))
                        .get(5, TimeUnit.SECONDS);
                published.incrementAndGet();
                sent++;
            }
        } catch (Exception e) {
            LOG.debugf("Kafka still unavailable: %s", e.getMessage());
        }
        try {
            if (sent == lines.size()) {
                Files.delete(spool);
                spoolFull = false;
                LOG.infof("event spool replayed: %d events delivered", sent);
            } else if (sent > 0) {
                Path tmp = spool.resolveSibling("events.jsonl.tmp");
                try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    for (String l : lines.subList(sent, lines.size())) {
                        w.write(l);
                        w.write('\n');
                    }
                }
                Files.move(
                        tmp,
                        spool,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            LOG.errorf("cannot rewrite event spool %s: %s", spool, e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(java.time.Duration.ofSeconds(5));
        }
    }
}
