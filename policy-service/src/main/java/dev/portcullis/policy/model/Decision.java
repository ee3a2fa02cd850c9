package dev.portcullis.policy.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The document at {@code data.portcullis.decision} (docs/architecture.md, "Policy"). {@code cache} says whether
 * session-proxy may reuse it for other requests of the same shape (ADR 0021). Registered for reflection:
 * DataResource returns it as a value of a {@code Map<String, Object>}, so no REST signature names it.
 */
@JsonPropertyOrder({"action", "reasons", "rules", "mask", "record", "cache"})
@RegisterForReflection
public record Decision(
        Action action,
        List<String> reasons,
        List<String> rules,
        List<MaskDirective> mask,
        boolean record,
        DecisionCacheHint cache) {}
