package dev.portcullis.policy.engine;

import dev.portcullis.policy.model.Decision;
import java.util.List;

/** A decision with the set revision it came from, and, when asked for, the per-rule trace. */
public record Evaluation(Decision decision, String policyRevision, List<TraceEntry> trace) {

    /** One rule as evaluated: {@code outcome} is matched, not_matched, skipped (pre-filter) or error. */
    public record TraceEntry(String policy, String rule, String effect, String outcome, String error) {
    }
}
