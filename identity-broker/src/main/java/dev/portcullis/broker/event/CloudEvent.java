package dev.portcullis.broker.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.UUID;

/**
 * A CloudEvents 1.0 envelope in structured JSON mode. Readers ignore unknown attributes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
// native: written by EventPublisher and read by ReviewRequestListener through an ObjectMapper, outside any REST
// signature
@RegisterForReflection
public record CloudEvent(
        String specversion,
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String datacontenttype,
        JsonNode data) {

    public static final String SOURCE = "/portcullis/identity-broker";

    public static CloudEvent of(String type, String subject, JsonNode data) {
        return new CloudEvent(
                "1.0", UUID.randomUUID().toString(), SOURCE, type, subject, Instant.now(), "application/json", data);
    }
}
