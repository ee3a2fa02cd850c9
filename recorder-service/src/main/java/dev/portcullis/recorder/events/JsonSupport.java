package dev.portcullis.recorder.events;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.detect.SensitiveKeys;
import java.util.Iterator;
import java.util.Map;

/** The recorder's JSON settings: exact numbers, duplicate keys rejected, compact output. */
public final class JsonSupport {

    public static final String REDACTED = "[redacted]";

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            // 1.50 stays 1.50 in a tree (a recording holds what the producer sent)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private JsonSupport() {}

    /**
     * Replaces scalar values under sensitive keys ({@link SensitiveKeys}: password, secret, token, …, by substring)
     * in place, whatever the producer sent; returns how many were replaced.
     */
    public static int redact(JsonNode node) {
        int n = 0;
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (SensitiveKeys.isSensitive(f.getKey())
                        && v.isValueNode()
                        && !v.isNull()
                        && !REDACTED.equals(v.asText())) {
                    f.setValue(obj.textNode(REDACTED));
                    n++;
                } else {
                    n += redact(v);
                }
            }
        } else if (node != null && node.isArray()) {
            for (JsonNode e : node) {
                n += redact(e);
            }
        }
        return n;
    }
}
