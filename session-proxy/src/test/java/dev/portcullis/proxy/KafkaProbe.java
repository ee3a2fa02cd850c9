package dev.portcullis.proxy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.contracts.recording.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Reads a topic from "now" on, and publishes events as identity-broker would (signed) or as a forger would. */
public final class KafkaProbe implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<JsonObject> seen = new ArrayList<>();
    /** The {@code traceparent} header of each event read, by CloudEvents id. */
    private final Map<String, String> traceparents = new HashMap<>();

    public KafkaProbe(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", ProxyTestResource.stack().kafka().bootstrapServers());
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(i.topic(), i.partition()))
                .toList();
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        parts.forEach(consumer::position);
    }

    /** Waits for the first event matching; keeps everything read. */
    public JsonObject await(Predicate<JsonObject> match, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        for (JsonObject j : seen) {
            if (match.test(j)) {
                return j;
            }
        }
        while (System.nanoTime() < end) {
            int from = seen.size();
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                JsonObject event = new JsonObject(r.value());
                seen.add(event); // the whole batch, so later awaits see it
                Header traceparent = r.headers().lastHeader("traceparent");
                if (traceparent != null) {
                    traceparents.put(event.getString("id"), new String(traceparent.value(), StandardCharsets.UTF_8));
                }
            }
            for (JsonObject j : seen.subList(from, seen.size())) {
                if (match.test(j)) {
                    return j;
                }
            }
        }
        throw new AssertionError("no matching event within " + timeout + "; saw " + seen.size());
    }

    public List<JsonObject> seen() {
        return seen;
    }

    /** The W3C trace context the event's record carried, or null. */
    public String traceparent(JsonObject event) {
        return traceparents.get(event.getString("id"));
    }

    /**
     * The events of one session read so far, in seq order, after checking what docs/architecture.md promises of
     * every one: seq from 0 without gaps, and the agent and connection named.
     */
    public List<JsonObject> session(String sessionId, String agent, String connection) {
        List<JsonObject> mine = seen.stream()
                .filter(e -> sessionId.equals(e.getString("session_id")))
                .sorted(java.util.Comparator.comparingLong(e -> e.getLong("seq")))
                .toList();
        for (int i = 0; i < mine.size(); i++) {
            if (mine.get(i).getLong("seq") != i) {
                throw new AssertionError("seq from 0 without gaps: event " + i + " has seq "
                        + mine.get(i).getLong("seq"));
            }
            if (!agent.equals(mine.get(i).getString("agent"))
                    || !connection.equals(mine.get(i).getString("connection"))) {
                throw new AssertionError("event " + i + " names another agent or connection: "
                        + mine.get(i).encode());
            }
        }
        return mine;
    }

    /**
     * A control event (review decision, kill switch) as a test sends one: CloudEvents attributes, a random id, source
     * {@code /test}; {@link #publish} signs it with the test broker's key.
     */
    public static JsonObject controlEvent(String type, String subject, JsonObject data) {
        return new JsonObject()
                .put("specversion", "1.0")
                .put("id", java.util.UUID.randomUUID().toString())
                .put("source", "/test")
                .put("type", type)
                .put("subject", subject)
                .put("data", data);
    }

    /** A signed approval of {@code reviewId} by {@code approver}, as identity-broker publishes one. */
    public static void approve(String reviewId, String approver) throws Exception {
        publish(
                Topics.REVIEW_DECISIONS,
                reviewId,
                controlEvent(
                        dev.portcullis.contracts.events.EventTypes.REVIEW_APPROVED,
                        reviewId,
                        new JsonObject().put("review_id", reviewId).put("by", approver)));
    }

    /**
     * Publishes an event as identity-broker would: on review-decisions and identity-events signed with the test
     * broker key the proxy under test pins ({@link #BROKER_KEY}).
     */
    public static void publish(String topic, String key, JsonObject value) throws Exception {
        boolean control = topic.equals(Topics.REVIEW_DECISIONS) || topic.equals(Topics.IDENTITY_EVENTS);
        publishRaw(topic, key, control ? signed(value.encode()) : value.encode());
    }

    /** Publishes the value as it is: what anyone with write access to Kafka can produce. */
    public static void publishRaw(String topic, String key, String value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", ProxyTestResource.stack().kafka().bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /**
     * The test broker's key pair, as `up` makes one for a dev stack: written once under {@code target/test-keys};
     * {@link ProxyTestResource} has the proxy under test pin its public key ({@link #BROKER_PUBLIC_KEY_FILE}).
     */
    public static final Path BROKER_KEY_FILE =
            Path.of("target", "test-keys", "control-events-signing-key.pem").toAbsolutePath();

    public static final Path BROKER_PUBLIC_KEY_FILE = BROKER_KEY_FILE.resolveSibling("control-events-signing-key.pub");

    public static final KeyPair BROKER_KEY = brokerKey();

    private static KeyPair brokerKey() {
        try {
            java.nio.file.Files.createDirectories(BROKER_KEY_FILE.getParent());
            if (!java.nio.file.Files.exists(BROKER_KEY_FILE)) {
                java.nio.file.Files.writeString(BROKER_KEY_FILE, SigningKeys.toPem(SigningKeys.generate()));
            }
            KeyPair pair = SigningKeys.readKeyPair(BROKER_KEY_FILE);
            java.nio.file.Files.writeString(BROKER_PUBLIC_KEY_FILE, SigningKeys.publicPem(pair.getPublic()));
            return pair;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The encoded event signed as identity-broker signs it. */
    public static String signed(String json) {
        return signed(BROKER_KEY, json);
    }

    /** The encoded event signed with another key (a forger's). */
    public static String signed(KeyPair key, String json) {
        return ControlEventSignature.sign(key.getPrivate(), SigningKeys.keyId(key.getPublic()), json);
    }

    /** What the contract finds wrong with an event the proxy wrote: its envelope and, for a review request, its data. */
    public static List<String> contractProblems(JsonObject event) {
        ObjectMapper json = new ObjectMapper();
        try {
            CloudEvent<JsonNode> e = json.readValue(event.encode(), new TypeReference<CloudEvent<JsonNode>>() {});
            List<String> problems = new ArrayList<>(e.validate());
            if (EventTypes.REVIEW_REQUESTED.equals(e.type())) {
                problems.addAll(
                        json.treeToValue(e.data(), ReviewRequested.class).validate());
            }
            // v2 exactly for a request that carries its decision (a v1 reader would misread it), v1 for the rest
            boolean carriesDecision = EventTypes.SESSION_REQUEST.equals(e.type())
                    && e.data() != null
                    && e.data().has(SessionEventFields.DECISION);
            String expected = carriesDecision ? CloudEvent.DATASCHEMA_SESSION_V2 : CloudEvent.DATASCHEMA_V1;
            if (!expected.equals(e.dataschema())) {
                problems.add("dataschema: " + e.dataschema() + ", expected " + expected);
            }
            return problems;
        } catch (java.io.IOException x) {
            return List.of(x.getMessage());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
