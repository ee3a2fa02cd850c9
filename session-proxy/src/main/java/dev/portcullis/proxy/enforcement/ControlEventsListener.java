package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.config.ProxyConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@code identity-events} (kill switch: agent.disabled, grant.revoked/expired) and
 * {@code review-decisions} (completes review holds). Every instance must see every event, so the
 * consumer assigns itself all partitions and starts at their end instead of joining a group. If the
 * consumer has to be rebuilt (an error while reading), it resumes where it stopped, not at the end:
 * a kill switch sent in between is still seen. Until it first reads, the pod is not ready
 * ({@link ControlEventsReadiness}).
 *
 * <p>A tolerant reader of contracts' events: it takes what it needs from {@code data}, the subject or the key,
 * whichever names it. It fails closed both ways: a review decision of a {@code dataschema} it cannot read is
 * ignored (the hold expires, the request is refused), while a kill switch is applied whatever its version.
 */
@ApplicationScoped
public class ControlEventsListener {

    private static final Logger LOG = Logger.getLogger(ControlEventsListener.class);

    private final ProxyConfig config;
    private final SessionRegistry registry;
    private final ReviewHolds holds;
    private volatile boolean running = true;
    private volatile boolean ready;
    private Thread thread;
    /** Next offset per partition, kept across consumer rebuilds; only the consumer thread touches it. */
    private final Map<TopicPartition, Long> next = new HashMap<>();

    public ControlEventsListener(ProxyConfig config, SessionRegistry registry, ReviewHolds holds) {
        this.config = config;
        this.registry = registry;
        this.holds = holds;
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.events().enabled()) {
            thread = Thread.ofPlatform()
                    .name("portcullis-control-events")
                    .daemon()
                    .start(this::run);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
    }

    /** True once the consumer reads every partition of both topics. */
    public boolean isReady() {
        return ready;
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.kafka().groupPrefix() + "-control");
        while (running) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                for (String topic : List.of(Topics.IDENTITY_EVENTS, Topics.REVIEW_DECISIONS)) {
                    List<PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                    if (info == null || info.isEmpty()) {
                        throw new IllegalStateException("topic " + topic + " has no partitions yet");
                    }
                    info.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                }
                consumer.assign(parts);
                List<TopicPartition> unseen =
                        parts.stream().filter(tp -> !next.containsKey(tp)).toList();
                consumer.seekToEnd(unseen);
                for (TopicPartition tp : parts) {
                    Long resume = next.get(tp);
                    if (resume != null) {
                        consumer.seek(tp, resume); // a rebuild: what arrived meanwhile is read, not skipped
                    }
                    next.put(tp, consumer.position(tp)); // resolves the end offsets now: events after this are seen
                }
                ready = true;
                LOG.infof(
                        "reading %s and %s (%d partitions)",
                        Topics.IDENTITY_EVENTS, Topics.REVIEW_DECISIONS, parts.size());
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        try {
                            handle(r.topic(), r.key(), r.value());
                        } catch (RuntimeException e) {
                            // one event that cannot be applied must not stop every later kill switch
                            LOG.errorf(
                                    e,
                                    "control event %s-%d@%d could not be applied",
                                    r.topic(),
                                    r.partition(),
                                    r.offset());
                        }
                        next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    }
                }
            } catch (Exception e) {
                ready = false;
                if (running) {
                    LOG.warnf("control events: %s; retrying", e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    void handle(String topic, String key, String value) {
        JsonObject event;
        try {
            event = new JsonObject(value);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring unreadable event on %s (key %s)", topic, key);
            return;
        }
        String type = event.getValue(CloudEvent.Attr.TYPE) instanceof String t ? t : "";
        JsonObject data = event.getValue(CloudEvent.Attr.DATA) instanceof JsonObject d ? d : new JsonObject();
        String subject = event.getValue(CloudEvent.Attr.SUBJECT) instanceof String s ? s : null;
        switch (type) {
            case EventTypes.AGENT_DISABLED -> {
                String agent = first(data.getString("agent"), data.getString("client_id"), subject, key);
                if (agent != null) {
                    registry.terminateAgent(agent, null, "agent " + agent + " was disabled");
                }
            }
            case EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED -> {
                String agent = first(data.getString("agent"), subject);
                String connection = data.getString("connection");
                if (agent != null && connection != null) {
                    registry.terminateAgent(
                            agent,
                            connection,
                            "access of agent " + agent + " to " + connection
                                    + (type.equals(EventTypes.GRANT_REVOKED) ? " was revoked" : " expired"));
                }
            }
            case EventTypes.REVIEW_APPROVED, EventTypes.REVIEW_DENIED, EventTypes.REVIEW_EXPIRED -> {
                Object schema = event.getValue(CloudEvent.Attr.DATASCHEMA);
                if (schema != null && !(schema instanceof String s && CloudEvent.readable(s))) {
                    LOG.warnf("ignoring %s of a dataschema this proxy cannot read (key %s)", type, key);
                    return;
                }
                String reviewId = first(data.getString("review_id"), data.getString("id"), subject, key);
                if (reviewId != null) {
                    holds.complete(
                            reviewId,
                            switch (type) {
                                case EventTypes.REVIEW_APPROVED -> ReviewHolds.Outcome.APPROVED;
                                case EventTypes.REVIEW_DENIED -> ReviewHolds.Outcome.DENIED;
                                default -> ReviewHolds.Outcome.EXPIRED;
                            });
                }
            }
            default -> {}
        }
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null && !c.isBlank()) {
                return c;
            }
        }
        return null;
    }
}
