package dev.portcullis.broker.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.AgentDisabled;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.GrantChanged;
import dev.portcullis.contracts.events.ReviewDecided;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Plain Kafka clients against the dev stack's real broker, for what other services would send or read. */
public final class KafkaTopics {

    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaTopics() {}

    static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    public static void send(String topic, String key, String value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("could not send to " + topic, e);
        }
    }

    /**
     * A record of the topic read from the beginning.
     *
     * @param value the event; one of review-decisions or identity-events that {@link #await} returns is without its
     *     signature, which was verified with the broker's public key ({@link ControlEventKeys#verified})
     * @param raw the record's value as published
     */
    public record Event(String key, JsonNode value, String raw) {}

    /**
     * Waits for the first record (from the beginning of the topic) whose CloudEvent matches, and
     * fails after {@code timeout}.
     */
    public static Event await(String topic, Predicate<Event> match, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "broker-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Event e = new Event(r.key(), JSON.readTree(r.value()), r.value());
                    if (match.test(e)) {
                        // the shared stack's topics hold other test runs' events too: only the match is checked
                        boolean control = topic.equals(Topics.REVIEW_DECISIONS) || topic.equals(Topics.IDENTITY_EVENTS);
                        return control
                                ? new Event(r.key(), JSON.readTree(ControlEventKeys.verified(r.value())), r.value())
                                : e;
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("no matching event on " + topic + " within " + timeout);
    }

    /**
     * Asserts that a broker event is what the contract says: a valid envelope and payload, with the attributes and
     * data fields of the golden fixture of its type (the fixture is what the broker writes).
     */
    public static void assertLikeFixture(JsonNode event) {
        String type = event.path("type").asText();
        try {
            JsonNode fixture = JSON.readTree(EventFixtures.valid(type).json());
            assertEquals(names(fixture), names(event), "attributes of " + type);
            assertEquals(names(fixture.get("data")), names(event.get("data")), "data fields of " + type);
            CloudEvent<JsonNode> e = JSON.treeToValue(event, new TypeReference<CloudEvent<JsonNode>>() {});
            List<String> problems = new ArrayList<>(e.validate());
            problems.addAll(
                    switch (type) {
                        case EventTypes.AGENT_DISABLED ->
                            JSON.treeToValue(e.data(), AgentDisabled.class).validate();
                        case EventTypes.GRANT_CREATED, EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED ->
                            JSON.treeToValue(e.data(), GrantChanged.class).validate();
                        default ->
                            JSON.treeToValue(e.data(), ReviewDecided.class).validate();
                    });
            assertEquals(List.of(), problems, type);
        } catch (java.io.IOException x) {
            throw new AssertionError(x);
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
