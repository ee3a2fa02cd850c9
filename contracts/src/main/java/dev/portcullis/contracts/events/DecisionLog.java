package dev.portcullis.contracts.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A record of decision-logs (policy-service → recorder-service and a SIEM): one policy decision in OPA's
 * decision-log shape, with the input masked. Unlike the other topics, the record value is this object itself and
 * the CloudEvents attributes travel in Kafka headers (binary mode: {@code ce_type} = {@link EventTypes#DECISION},
 * {@code ce_dataschema} = {@link CloudEvent#DATASCHEMA_V1}, {@code ce_source}, {@code ce_id}, {@code ce_time}),
 * so OPA tooling reads the value unchanged. The Kafka key is the decision id.
 *
 * @param path the policy path asked, e.g. {@code portcullis/decision}
 * @param timestamp RFC 3339
 * @param requestedBy the calling service (from its verified token)
 * @param input the caller's input, masked
 * @param policyVersion the version of the policy set that decided
 * @param metrics OPA's metrics ({@code timer_server_handler_ns})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DecisionLog(
        @JsonProperty("decision_id") String decisionId,
        @JsonProperty("path") String path,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("requested_by") String requestedBy,
        @JsonProperty("input") Map<String, Object> input,
        @JsonProperty("result") Result result,
        @JsonProperty("policy_version") String policyVersion,
        @JsonProperty("metrics") Map<String, Object> metrics) {

    /** The decision (the policy API's {@code portcullis/decision} document). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Result(
            @JsonProperty("action") String action,
            @JsonProperty("reasons") List<String> reasons,
            @JsonProperty("rules") List<String> rules,
            @JsonProperty("mask") List<Mask> mask,
            @JsonProperty("record") Boolean record) {}

    /** One masking instruction: a column glob or a value detector, and a strategy. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Mask(
            @JsonProperty("column") String column,
            @JsonProperty("detector") String detector,
            @JsonProperty("strategy") String strategy) {}

    /** One line per problem; empty when a reader can store the decision. */
    public List<String> validate() {
        List<String> p = new ArrayList<>();
        Validation.required(p, "decision_id", decisionId);
        Validation.timestamp(p, "timestamp", timestamp, true);
        if (result == null) {
            p.add("result: missing");
        } else {
            Validation.required(p, "result.action", result.action());
        }
        return p;
    }
}
