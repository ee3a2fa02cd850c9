package dev.portcullis.policy.engine;

import dev.portcullis.policy.model.Decision;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** A decision with the set revision it came from, and, when asked for, the per-rule trace. */
public record Evaluation(Decision decision, String policyRevision, List<TraceEntry> trace) {

    /**
     * One rule as evaluated: {@code outcome} is matched, not_matched, skipped (pre-filter) or error.
     * Registered for reflection: {@code ?explain} puts the trace in DataResource's {@code Map<String, Object>}.
     */
    @RegisterForReflection
    public record TraceEntry(String policy, String rule, String effect, String outcome, String error) {}
}
