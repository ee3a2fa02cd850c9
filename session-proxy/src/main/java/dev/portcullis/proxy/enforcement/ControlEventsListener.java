package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.config.ProxyConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads {@code identity-events} (kill switch: agent.disabled, grant.revoked/expired) and
 * {@code review-decisions} (completes review holds). Every instance must see every event, so the
 * consumer assigns itself all partitions instead of joining a group. If the consumer has to be rebuilt
 * (an error while reading), it resumes where it stopped, not at the end: a kill switch sent in between
 * is still seen.
 *
 * <p>At start the kill switch's cut-offs are rebuilt before the pod is ready ({@link ControlEventsReadiness}) and
 * before any login is decided ({@link SessionRegistry#awaitCutOffs}): {@code identity-events} is read from {@code
 * portcullis.kafka.kill-switch-lookback} ago (a record timestamp; longer than any token lives) up to the end
 * offsets found at start, each cut-off dated by its event, so a token minted before an {@code agent.disabled}
 * stays refused after a restart while one minted after it is not. {@code review-decisions} is read from its end: a
 * hold does not outlive its proxy.
 *
 * <p>A tolerant reader of contracts' events: it takes what it needs from {@code data}, the subject or the key,
 * whichever names it. It fails closed both ways: a review decision of a {@code dataschema} it cannot read is
 * ignored (the hold expires, the request is refused), while a kill switch is applied whatever its version.
 *
 * <p>Kafka is not a trust boundary: an approval is believed only when the broker signed it ({@link
 * ControlEventTrust}); everything that ends access is applied signed or not ({@link #handle(String, String, String,
 * Instant)}).
 */
@ApplicationScoped
public class ControlEventsListener {

    private static final Logger LOG = Logger.getLogger(ControlEventsListener.class);

    /** The types this listener acts on: the ones an unsigned event of is accounted for. */
    private static final Set<String> ACTED_ON = Set.of(
            EventTypes.AGENT_DISABLED,
            EventTypes.GRANT_REVOKED,
            EventTypes.GRANT_EXPIRED,
            EventTypes.REVIEW_APPROVED,
            EventTypes.REVIEW_DENIED,
            EventTypes.REVIEW_EXPIRED);

    private final ProxyConfig config;
    private final SessionRegistry registry;
    private final ReviewHolds holds;
    private final ControlEventTrust trust;
    private volatile boolean running = true;
    private volatile boolean ready;
    private Thread thread;
    /** Next offset per partition, kept across consumer rebuilds; only the consumer thread touches it. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    /** identity-events end offsets at start: the cut-offs are rebuilt once every partition is read up to them. */
    private Map<TopicPartition, Long> rebuildEnd;

    private long rebuildStartNanos;
    private int replayed;
    private volatile boolean rebuilt;
    private volatile long rebuildMillis = -1;

    public ControlEventsListener(
            ProxyConfig config, SessionRegistry registry, ReviewHolds holds, ControlEventTrust trust) {
        this.config = config;
        this.registry = registry;
        this.holds = holds;
        this.trust = trust;
    }

    void onStart(@Observes StartupEvent ev) {
        if (config.events().enabled()) {
            thread = Thread.ofPlatform()
                    .name("portcullis-control-events")
                    .daemon()
                    .start(this::run);
        } else {
            registry.cutOffsRebuilt(); // nothing to hear, nothing to rebuild
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
    }

    /** True once the cut-offs are rebuilt and the consumer reads every partition of both topics. */
    public boolean isReady() {
        return ready;
    }

    /** How long the rebuild of the cut-offs took after start, in ms; -1 until it is done. */
    public long rebuildMillis() {
        return rebuildMillis;
    }

    private void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.kafka().groupPrefix() + "-control");
        rebuildStartNanos = System.nanoTime();
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
                seekUnseen(consumer, unseen);
                for (TopicPartition tp : parts) {
                    Long resume = next.get(tp);
                    if (resume != null) {
                        consumer.seek(tp, resume); // a rebuild: what arrived meanwhile is read, not skipped
                    }
                    next.put(tp, consumer.position(tp)); // resolves the offsets now: events after this are seen
                }
                LOG.infof(
                        "reading %s and %s (%d partitions)",
                        Topics.IDENTITY_EVENTS, Topics.REVIEW_DECISIONS, parts.size());
                checkRebuilt(consumer);
                while (running) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                        Long end = rebuildEnd == null ? null : rebuildEnd.get(tp);
                        // a replayed kill switch is dated by its event; a live one by now (the later, failing closed)
                        Instant at = end != null && r.offset() < end ? Instant.ofEpochMilli(r.timestamp()) : null;
                        if (at != null) {
                            replayed++;
                        }
                        try {
                            handle(r.topic(), r.key(), r.value(), at);
                        } catch (RuntimeException e) {
                            // one event that cannot be applied must not stop every later kill switch
                            LOG.errorf(
                                    e,
                                    "control event %s-%d@%d could not be applied",
                                    r.topic(),
                                    r.partition(),
                                    r.offset());
                        }
                        next.put(tp, r.offset() + 1);
                    }
                    checkRebuilt(consumer);
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

    /**
     * First assignment: identity-events from the lookback on (the cut-offs to rebuild), review-decisions from the
     * end. Notes the end offsets the rebuild must reach.
     */
    private void seekUnseen(KafkaConsumer<String, String> consumer, List<TopicPartition> unseen) {
        List<TopicPartition> identity = unseen.stream()
                .filter(tp -> tp.topic().equals(Topics.IDENTITY_EVENTS))
                .toList();
        consumer.seekToEnd(unseen.stream().filter(tp -> !identity.contains(tp)).toList());
        if (identity.isEmpty()) {
            return;
        }
        long since = Instant.now().minus(config.kafka().killSwitchLookback()).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        identity.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(query, Duration.ofSeconds(10));
        Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(identity, Duration.ofSeconds(10)));
        for (TopicPartition tp : identity) {
            OffsetAndTimestamp o = from.get(tp);
            if (o == null) {
                consumer.seek(tp, end.get(tp)); // nothing as recent as the lookback
            } else {
                consumer.seek(tp, o.offset());
            }
        }
        if (rebuildEnd == null) {
            rebuildEnd = end;
        }
    }

    /** Marks the pod ready once every identity-events partition is read up to its end offset at start. */
    private void checkRebuilt(KafkaConsumer<String, String> consumer) {
        if (!rebuilt) {
            // the consumer's position, not the last record's offset + 1: control records and gaps count as read
            boolean done = rebuildEnd != null
                    && rebuildEnd.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            if (!done) {
                return;
            }
            rebuilt = true;
            rebuildMillis = (System.nanoTime() - rebuildStartNanos) / 1_000_000;
            registry.cutOffsRebuilt();
            LOG.infof(
                    "kill-switch cut-offs rebuilt from %d identity event(s) of the last %s in %d ms",
                    replayed, config.kafka().killSwitchLookback(), rebuildMillis);
        }
        ready = true;
    }

    void handle(String topic, String key, String value) {
        handle(topic, key, value, null);
    }

    /**
     * Applies one event; {@code at} dates a replayed kill switch (null: now). A signed event is read from the bytes
     * its signature covers and nothing else; a {@code review.approved} that is not signed by a pinned broker key is
     * ignored (its hold expires), while a denial, an expiry or a kill switch is applied signed or not, since
     * ignoring one would fail open (docs/architecture.md "Events"). The unsigned ones are counted and logged.
     */
    void handle(String topic, String key, String value, Instant at) {
        ControlEventSignature.Result signature = trust.check(value);
        JsonObject event;
        try {
            event = new JsonObject(signature.authentic() ? signature.event() : value);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring unreadable event on %s", topic);
            return;
        }
        String type = event.getValue(CloudEvent.Attr.TYPE) instanceof String t ? t : "";
        JsonObject data = event.getValue(CloudEvent.Attr.DATA) instanceof JsonObject d ? d : new JsonObject();
        String subject = event.getValue(CloudEvent.Attr.SUBJECT) instanceof String s ? s : null;
        if (!signature.authentic() && ACTED_ON.contains(type)) {
            trust.unauthenticated(
                    type,
                    signature,
                    type.equals(EventTypes.REVIEW_APPROVED)
                            ? ControlEventTrust.Outcome.IGNORED
                            : ControlEventTrust.Outcome.APPLIED);
        }
        switch (type) {
            case EventTypes.AGENT_DISABLED -> {
                String agent = first(string(data, "agent"), string(data, "client_id"), subject, key);
                if (agent != null) {
                    registry.terminateAgent(agent, null, "agent " + agent + " was disabled", cutOffTime(at));
                }
            }
            case EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED -> {
                String agent = first(string(data, "agent"), subject);
                String connection = string(data, "connection");
                if (agent != null && connection != null) {
                    registry.terminateAgent(
                            agent,
                            connection,
                            "access of agent " + agent + " to " + connection
                                    + (type.equals(EventTypes.GRANT_REVOKED) ? " was revoked" : " expired"),
                            cutOffTime(at));
                }
            }
            case EventTypes.REVIEW_APPROVED -> {
                if (signature.authentic() && readable(event, type)) {
                    approve(data, subject);
                }
            }
            case EventTypes.REVIEW_DENIED, EventTypes.REVIEW_EXPIRED -> {
                if (!readable(event, type)) {
                    return;
                }
                String reviewId = first(string(data, "review_id"), string(data, "id"), subject, key);
                if (reviewId != null) {
                    holds.complete(
                            reviewId,
                            type.equals(EventTypes.REVIEW_DENIED)
                                    ? ReviewHolds.Outcome.DENIED
                                    : ReviewHolds.Outcome.EXPIRED);
                }
            }
            default -> {}
        }
    }

    /**
     * A signed approval releases the hold its signed content names: {@code data.review_id}, or the subject when an
     * older writer left it out, never the Kafka key (which the signature does not cover); both present and
     * different is no approval of either.
     */
    private void approve(JsonObject data, String subject) {
        String reviewId = first(string(data, "review_id"), subject);
        if (reviewId == null) {
            return;
        }
        if (subject != null && !subject.isBlank() && !subject.equals(reviewId)) {
            LOG.warnf("ignoring %s whose subject is not its review_id", EventTypes.REVIEW_APPROVED);
            return;
        }
        holds.approve(reviewId, string(data, "agent"), string(data, "connection"));
    }

    /** Fail closed: a review decision of a {@code dataschema} this proxy cannot read is ignored. */
    private static boolean readable(JsonObject event, String type) {
        Object schema = event.getValue(CloudEvent.Attr.DATASCHEMA);
        if (schema != null && !(schema instanceof String s && CloudEvent.readable(s))) {
            LOG.warnf("ignoring %s of a dataschema this proxy cannot read", type);
            return false;
        }
        return true;
    }

    /** A text field, or null when it is absent or not text (JsonObject.getString would throw on a number). */
    private static String string(JsonObject data, String field) {
        return data.getValue(field) instanceof String s ? s : null;
    }

    private static Instant cutOffTime(Instant replayedAt) {
        return replayedAt == null ? Instant.now() : replayedAt;
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
