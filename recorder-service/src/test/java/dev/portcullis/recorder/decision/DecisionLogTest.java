package dev.portcullis.recorder.decision;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.consume;
import static dev.portcullis.recorder.support.RecorderTestSupport.header;
import static dev.portcullis.recorder.support.RecorderTestSupport.producer;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sleep;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.Topics;
import dev.portcullis.recorder.ingest.DeadLetter;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.SpanCollector;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class DecisionLogTest {

    static String decision(String id, String agent, String action, String rule) {
        // policy-service's decision-log shape (DecisionLogSerializer)
        return """
                {"decision_id":"%s","path":"portcullis/decision","timestamp":"2026-11-22T03:12:0%dZ","requested_by":"session-proxy",
                 "input":{"identity":{"agent":"%s","scopes":["conn:pg-prod:read"]},"connection":{"name":"pg-prod","type":"postgres"},
                          "session":{"id":"sess-%s"},"request":{"protocol":"postgres","kind":"query","text":"DROP TABLE x","password":"p4ss"}},
                 "result":{"action":"%s","reasons":["because"],"rules":["%s"],"mask":[],"record":true},
                 "policy_version":"v7","metrics":{"timer_server_handler_ns":1200}}""".formatted(id, action.length() % 10, agent, agent, action, rule);
    }

    @Test
    void decisionLogsAreStoredQueryableAndBadOnesParked() {
        String agent = "decider-" + UUID.randomUUID();
        String a = UUID.randomUUID().toString();
        send(Topics.DECISION_LOGS, a, decision(a, agent, "allow", "read-ok"));
        send(Topics.DECISION_LOGS, a, decision(a, agent, "allow", "read-ok")); // redelivered: stored once
        String b = UUID.randomUUID().toString();
        send(Topics.DECISION_LOGS, b, decision(b, agent, "deny", "drop-forbidden"));
        String c = UUID.randomUUID().toString();
        send(Topics.DECISION_LOGS, c, decision(c, agent, "review", "prod-write"));
        String bad = "bad-" + agent;
        send(Topics.DECISION_LOGS, bad, "{\"result\":{\"action\":\"allow\"}}"); // no decision_id

        Response r = null;
        for (int i = 0; i < 120; i++) {
            r = given().auth().oauth2(auditorToken()).queryParam("agent", agent).get("/v1/decisions");
            if (r.statusCode() == 200 && r.jsonPath().getLong("total") >= 3) {
                break;
            }
            sleep(250);
        }
        assertThat(r.jsonPath().getLong("total")).isEqualTo(3);
        Response denied = given().auth()
                .oauth2(auditorToken())
                .queryParam("agent", agent)
                .queryParam("action", "deny")
                .get("/v1/decisions");
        assertThat(denied.jsonPath().getList("items.decision_id")).containsExactly(b);
        assertThat(denied.jsonPath().getList("items[0].rules")).containsExactly("drop-forbidden");
        assertThat(denied.jsonPath().getString("items[0].session_id")).isEqualTo("sess-" + agent);
        assertThat(denied.jsonPath().getString("items[0].log.input.request.password"))
                .isEqualTo("[redacted]");
        assertThat(given().auth()
                        .oauth2(auditorToken())
                        .queryParam("session", "sess-" + agent)
                        .get("/v1/decisions")
                        .jsonPath()
                        .getLong("total"))
                .isEqualTo(3);

        var parked =
                consume(Topics.DECISION_LOGS_DLQ, x -> bad.equals(x.key()), l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertThat(parked).hasSize(1);
        assertThat(header(parked.get(0), DeadLetter.HEADER_REASON)).isEqualTo("missing-field");
    }

    @Inject
    SpanCollector spans;

    /**
     * A decision log carries policy-service's trace in its record's {@code traceparent}; the recorder
     * consumes it in that trace, so an agent request can be followed proxy, policy, Kafka, recorder.
     */
    @Test
    void aDecisionLogIsConsumedInTheTraceItsRecordCarries() throws Exception {
        String traceId = hex(16);
        String producerSpan = hex(8);
        String id = "trace-" + UUID.randomUUID();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                Topics.DECISION_LOGS,
                id,
                decision(id, "trace-agent", "allow", "read-ok").getBytes(StandardCharsets.UTF_8));
        record.headers()
                .add("traceparent", ("00-" + traceId + "-" + producerSpan + "-01").getBytes(StandardCharsets.UTF_8));
        producer().send(record).get();
        List<SpanData> consumed = spans.await(
                s -> s.getTraceId().equals(traceId) && s.getKind() == SpanKind.CONSUMER, Duration.ofSeconds(60));
        assertThat(consumed).as("a consumer span in the record's trace").isNotEmpty();
        assertThat(consumed.getFirst().getParentSpanId()).isEqualTo(producerSpan);
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
