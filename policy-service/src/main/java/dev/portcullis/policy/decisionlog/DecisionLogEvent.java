package dev.portcullis.policy.decisionlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.model.Decision;
import java.time.Instant;

/**
 * One decision as logged. {@code input} is the caller's input as received: it is masked by
 * {@link DecisionLogSerializer} when the log is queued, and never printed.
 */
public record DecisionLogEvent(
        String decisionId,
        String path,
        Instant timestamp,
        String requestedBy,
        JsonNode input,
        Decision result,
        String policyVersion,
        long latencyNanos) {

    @Override
    public String toString() {
        return "DecisionLogEvent[" + decisionId + " " + result.action().json() + "]";
    }
}
