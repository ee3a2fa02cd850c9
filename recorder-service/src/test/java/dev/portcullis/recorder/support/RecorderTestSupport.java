package dev.portcullis.recorder.support;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.recorder.events.JsonSupport;
import io.restassured.RestAssured;
import io.restassured.config.DecoderConfig;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Real Kafka producers/consumers, real Keycloak tokens and synthetic session events for tests. */
public final class RecorderTestSupport {

    private static KafkaProducer<String, byte[]> producer;
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private RecorderTestSupport() {}

    public static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    public static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer = new KafkaProducer<>(p);
        }
        return producer;
    }

    public static void send(String topic, String key, byte[] value) {
        try {
            producer().send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Produces {@code json}; a session event is tagged first, as session-proxy tags it ({@link TestKeys#tag}). */
    public static void send(String topic, String key, String json) {
        send(
                topic,
                key,
                (Topics.SESSION_EVENTS.equals(topic) ? TestKeys.tag(json) : json).getBytes(StandardCharsets.UTF_8));
    }

    /** Produces {@code json} as it is: what a Kafka writer that is not the proxy can do. */
    public static void sendUntagged(String topic, String key, String json) {
        send(topic, key, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A password-grant token of a dev user (one request per user per run: the realm locks out fast retries). */
    public static String token(String user, String password) {
        return TOKENS.computeIfAbsent(user, u -> {
            String kc = ConfigProvider.getConfig().getValue("portcullis.keycloak.url", String.class);
            return given().formParam("grant_type", "password")
                    .formParam("client_id", "portcullis-cli")
                    .formParam("username", user)
                    .formParam("password", password)
                    .post(kc + "/realms/portcullis/protocol/openid-connect/token")
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("access_token");
        });
    }

    /**
     * RestAssured as a client that takes no content coding ({@code Accept-Encoding: identity}, no decoder): a
     * recording stored compressed then comes decompressed, and byte ranges count its uncompressed bytes.
     */
    public static RequestSpecification identity() {
        return given().config(RestAssured.config()
                        .decoderConfig(DecoderConfig.decoderConfig().noContentDecoders()))
                .header("Accept-Encoding", "identity");
    }

    public static String auditorToken() {
        return token("carol-auditor", "carol-dev-password");
    }

    public static String adminToken() {
        return token("alice-admin", "alice-dev-password");
    }

    public static String agentToken() {
        return TOKENS.computeIfAbsent("demo-agent", u -> {
            String kc = ConfigProvider.getConfig().getValue("portcullis.keycloak.url", String.class);
            return given().auth()
                    .preemptive()
                    .basic("demo-agent", "demo-agent-dev-secret")
                    .formParam("grant_type", "client_credentials")
                    .post(kc + "/realms/portcullis/protocol/openid-connect/token")
                    .then()
                    .statusCode(200)
                    .extract()
                    .path("access_token");
        });
    }

    public static String newSessionId(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** A CloudEvents-style session event with the attributes of docs/architecture.md "Events" in {@code data}. */
    public static String event(
            String sessionId,
            long seq,
            String type,
            Instant time,
            String agent,
            String connection,
            String protocol,
            Map<String, Object> extra) {
        ObjectNode root = JsonSupport.MAPPER.createObjectNode();
        root.put("specversion", "1.0");
        root.put("id", sessionId + "-" + seq);
        root.put("source", "/session-proxy");
        root.put("type", type);
        root.put("time", time.toString());
        ObjectNode data = root.putObject("data");
        data.put("session_id", sessionId);
        data.put("seq", seq);
        data.put("time", time.toString());
        data.put("agent", agent);
        data.put("connection", connection);
        if (type.equals(EventTypes.SESSION_STARTED)) {
            data.put("protocol", protocol);
        }
        extra.forEach((k, v) -> data.set(k, JsonSupport.MAPPER.valueToTree(v)));
        return root.toString();
    }

    /** started, request, decision(allow), output, decision(deny), ended — six events. */
    public static List<String> sqlSession(String id, String agent, String connection, Instant start) {
        List<String> e = new ArrayList<>();
        e.add(event(
                id,
                0,
                EventTypes.SESSION_STARTED,
                start,
                agent,
                connection,
                "postgres",
                Map.of("client_address", "127.0.0.1")));
        e.add(event(
                id,
                1,
                EventTypes.SESSION_REQUEST,
                start.plusMillis(100),
                agent,
                connection,
                null,
                Map.of("kind", "query", "text", "SELECT * FROM orders WHERE id = 1")));
        e.add(event(
                id,
                2,
                EventTypes.SESSION_DECISION,
                start.plusMillis(110),
                agent,
                connection,
                null,
                Map.of("action", "allow", "rules", List.of("read-ok"))));
        e.add(event(
                id,
                3,
                EventTypes.SESSION_OUTPUT,
                start.plusMillis(150),
                agent,
                connection,
                null,
                Map.of("rows", 1, "columns", List.of("id", "email"), "data", List.of(List.of(1, "j***@example.com")))));
        e.add(event(
                id,
                4,
                EventTypes.SESSION_DECISION,
                start.plusMillis(200),
                agent,
                connection,
                null,
                Map.of("action", "deny", "rules", List.of("drop-forbidden"))));
        e.add(event(
                id,
                5,
                EventTypes.SESSION_ENDED,
                start.plusMillis(300),
                agent,
                connection,
                null,
                Map.of("reason", "client_closed")));
        return e;
    }

    /** Polls GET /v1/sessions/{id} as auditor until its status is not {@code recording}. */
    public static JsonPath awaitFinal(String sessionId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var r = given().auth().oauth2(auditorToken()).get("/v1/sessions/{id}", sessionId);
            if (r.statusCode() == 200 && !"recording".equals(r.jsonPath().getString("status"))) {
                return r.jsonPath();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("session " + sessionId + " not final after " + timeout + ": " + r.statusCode()
                        + " " + r.asString());
            }
            sleep(250);
        }
    }

    /** Reads a topic from the start until {@code done} holds for the records collected (or times out). */
    public static List<ConsumerRecord<String, byte[]>> consume(
            String topic,
            Predicate<ConsumerRecord<String, byte[]>> keep,
            Predicate<List<ConsumerRecord<String, byte[]>>> done,
            Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (keep.test(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
