package dev.portcullis.policy.decisionlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.contracts.detect.SensitiveKeys;
import dev.portcullis.policy.model.Decision;
import dev.portcullis.policy.model.MaskDirective;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a decision log as JSON, masking the input on the way: values under sensitive keys
 * ({@link SensitiveKeys}: password, secret, token, … by part) are replaced whole, and every string is passed through
 * {@code contracts}' value detectors (cards, JWTs, cloud keys, e-mails: the ones session-proxy masks with).
 *
 * <p>Native image: Kafka instantiates it by the class name in {@code value.serializer}; the Quarkus Kafka
 * client extension registers every {@code Serializer} implementation in the index for reflection, so it
 * needs no annotation. It writes with a {@link JsonGenerator}, so {@link DecisionLogEvent} needs none either.
 */
public class DecisionLogSerializer implements Serializer<DecisionLogEvent> {

    private static final JsonFactory JSON = new ObjectMapper().getFactory();

    @Override
    public byte[] serialize(String topic, DecisionLogEvent e) {
        return e == null ? null : toBytes(e);
    }

    /** The log as the record's value: JSON, its input masked. */
    public static byte[] toBytes(DecisionLogEvent e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("decision_id", e.decisionId());
            g.writeStringField("path", e.path());
            g.writeStringField("timestamp", e.timestamp().toString());
            g.writeStringField("requested_by", e.requestedBy());
            g.writeFieldName("input");
            writeMasked(g, e.input());
            g.writeFieldName("result");
            writeDecision(g, e.result());
            g.writeStringField("policy_version", e.policyVersion());
            g.writeObjectFieldStart("metrics");
            g.writeNumberField("timer_server_handler_ns", e.latencyNanos());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    static void writeMasked(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                node.properties().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    g.writeFieldName(f.getKey());
                    if (isSensitive(f.getKey())
                            && !f.getValue().isContainerNode()
                            && !f.getValue().isNull()) {
                        g.writeString("[masked]");
                    } else {
                        writeMasked(g, f.getValue());
                    }
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : node) {
                    writeMasked(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(maskValues(node.textValue()));
            default -> g.writeTree(node);
        }
    }

    /**
     * {@link SensitiveKeys#isSensitive}, remembered per key: inputs repeat the same few dozen keys, and the
     * case-insensitive search for every sensitive part in every key was a fifth of the sender thread's time
     * (policy-service/README.md, "Benchmark"). Keys come from callers, so the memory is bounded (at most 4,096 keys
     * of at most 64 characters); any other key is checked every time.
     */
    static boolean isSensitive(String key) {
        Boolean known = SENSITIVE.get(key);
        if (known != null) {
            return known;
        }
        boolean sensitive = SensitiveKeys.isSensitive(key);
        if (key.length() <= MAX_REMEMBERED_KEY_LENGTH && SENSITIVE.size() < MAX_REMEMBERED_KEYS) {
            SENSITIVE.put(key, sensitive);
        }
        return sensitive;
    }

    private static final int MAX_REMEMBERED_KEYS = 4096;
    private static final int MAX_REMEMBERED_KEY_LENGTH = 64;
    private static final Map<String, Boolean> SENSITIVE = new ConcurrentHashMap<>();

    /** Masking order: a JWT before the cloud keys its parts may look like, so it goes whole. */
    private static final List<Detector> MASKED_DETECTORS =
            List.of(Detector.CREDIT_CARD, Detector.JWT, Detector.CLOUD_KEY, Detector.EMAIL);

    private static final List<String> MASKED_TEXT =
            MASKED_DETECTORS.stream().map(d -> "[masked:" + d.id() + "]").toList();

    /** {@code text} with every detected value replaced by {@code [masked:<detector>]}. */
    static String maskValues(String text) {
        String out = text;
        for (int i = 0; i < MASKED_DETECTORS.size(); i++) {
            String replacement = MASKED_TEXT.get(i);
            out = MASKED_DETECTORS.get(i).replaceAll(out, hit -> replacement);
        }
        return out;
    }

    private static void writeDecision(JsonGenerator g, Decision d) throws IOException {
        g.writeStartObject();
        g.writeStringField("action", d.action().json());
        g.writeArrayFieldStart("reasons");
        for (String r : d.reasons()) {
            g.writeString(r);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("rules");
        for (String r : d.rules()) {
            g.writeString(r);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("mask");
        for (MaskDirective m : d.mask()) {
            g.writeStartObject();
            if (m.column() != null) {
                g.writeStringField("column", m.column());
            }
            if (m.detector() != null) {
                g.writeStringField("detector", m.detector());
            }
            g.writeStringField("strategy", m.strategy());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("record", d.record());
        g.writeEndObject();
    }
}
