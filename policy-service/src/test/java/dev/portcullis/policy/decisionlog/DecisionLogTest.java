package dev.portcullis.policy.decisionlog;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.DecisionLog;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventSources;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Decision logs arrive in the real decision-logs topic, masked, keyed by decision id, in the caller's trace. */
@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class DecisionLogTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDecisionIsLoggedMaskedToKafka() throws Exception {
        String card = "4111 1111 1111 1111";
        String body = """
                {"input": {"identity": {"agent": "ci-runner", "scopes": ["conn:pg-prod:write"]},
                           "connection": {"name": "pg-prod", "type": "postgres", "tags": {"env": "prod"}},
                           "session": {"id": "s-log", "db_password": "hunter2-hunter2"},
                           "request": {"protocol": "postgres", "kind": "query",
                                       "text": "INSERT INTO cards VALUES ('%s', 'jane@corp.example')",
                                       "statements": [{"type": "INSERT", "tables": ["cards"]}]}}}
                """.formatted(card);
        String decisionId = given().auth()
                .oauth2(Tokens.sessionProxy())
                .body(body)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .extract()
                .path("decision_id");

        ConsumerRecord<String, String> found = record(decisionId);
        assertNotNull(found, "decision " + decisionId + " not found in topic " + Topics.DECISION_LOGS);
        String raw = found.value();
        assertFalse(raw.contains("4111"), raw);
        assertFalse(raw.contains("jane@corp.example"), raw);
        assertFalse(raw.contains("hunter2"), raw);

        JsonNode log = JSON.readTree(raw);
        assertEquals(decisionId, log.get("decision_id").asText());
        assertEquals("portcullis/decision", log.get("path").asText());
        assertEquals("session-proxy", log.get("requested_by").asText());
        assertEquals(
                "INSERT INTO cards VALUES ('[masked:credit_card]', '[masked:email]')",
                log.at("/input/request/text").asText());
        assertEquals("[masked]", log.at("/input/session/db_password").asText());
        assertEquals("ci-runner", log.at("/input/identity/agent").asText(), "ordinary values are kept");
        assertEquals("allow", log.at("/result/action").asText());
        assertTrue(log.at("/result/mask").size() > 0);
        assertEquals(16, log.get("policy_version").asText().length());
        assertTrue(log.at("/metrics/timer_server_handler_ns").asLong() > 0);
        assertEquals(EventTypes.DECISION, header(found, "ce_type"));
        assertEquals(EventSources.POLICY_SERVICE, header(found, "ce_source"));
        assertEquals(CloudEvent.DATASCHEMA_V1, header(found, "ce_dataschema"));
        assertNotNull(header(found, "ce_id"));

        // what the contract says: valid, and the fields of the golden fixture (which is what this service writes)
        assertEquals(List.of(), JSON.readValue(raw, DecisionLog.class).validate());
        assertEquals(
                fieldNames(
                        JSON.readTree(EventFixtures.valid(EventTypes.DECISION).json())),
                fieldNames(log));
        assertEquals(
                fieldNames(
                        JSON.readTree(EventFixtures.valid(EventTypes.DECISION).json())
                                .get("result")),
                fieldNames(log.get("result")));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * A request that arrives with a W3C {@code traceparent} (as session-proxy's do) is served in that
     * trace, and its decision-log record carries it on, so the recorder and a SIEM see the same trace.
     */
    @Test
    void theCallersTraceContinuesIntoTheDecisionLogRecord() throws Exception {
        String traceId = hex(16);
        String callerSpan = hex(8);
        String decisionId = given().auth()
                .oauth2(Tokens.sessionProxy())
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .body("""
                        {"input": {"identity": {"agent": "ci-runner", "scopes": ["conn:pg-prod:read"]},
                                   "connection": {"name": "pg-prod", "type": "postgres"},
                                   "request": {"protocol": "postgres", "kind": "query", "text": "SELECT 1",
                                               "statements": [{"type": "SELECT", "tables": []}]}}}
                        """)
                .post("/v1/data/portcullis/decision")
                .then()
                .statusCode(200)
                .extract()
                .path("decision_id");
        ConsumerRecord<String, String> found = record(decisionId);
        assertNotNull(found, "decision " + decisionId + " not found in topic " + Topics.DECISION_LOGS);
        String traceparent = header(found, "traceparent");
        assertNotNull(traceparent, "the decision log record carries no traceparent");
        String[] parts = traceparent.split("-");
        assertEquals(4, parts.length, traceparent);
        assertEquals(traceId, parts[1], "same trace as the caller's request");
        assertNotEquals(callerSpan, parts[2], "a span of policy-service's own, under the caller's");
    }

    /**
     * Nothing leaves the process without an OTLP endpoint: Quarkus's OTLP span processor is its
     * placeholder that the tracer provider drops, so spans are neither batched nor sent.
     */
    @Test
    void withoutAnOtlpEndpointNoSpanIsExported() {
        List<SpanProcessor> all = processors.stream().toList();
        assertFalse(all.isEmpty());
        all.forEach(p ->
                assertEquals("RemoveableLateBoundSpanProcessor", p.getClass().getSimpleName(), p::toString));
    }

    @Inject
    @Any
    Instance<SpanProcessor> processors;

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The decision-log record keyed {@code decisionId}, waiting up to a minute; null if none came. */
    static ConsumerRecord<String, String> record(String decisionId) {
        Properties props = new Properties();
        props.put(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "decision-log-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(Topics.DECISION_LOGS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (decisionId.equals(r.key())) {
                        return r;
                    }
                }
            }
        }
        return null;
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
