package dev.portcullis.policy.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The decision's {@code cache} field: {@code {"scope": "shape" | "exact"}}. Serialized inside {@link Decision}. */
@RegisterForReflection
public record DecisionCacheHint(CacheScope scope) {

    public static final DecisionCacheHint SHAPE = new DecisionCacheHint(CacheScope.SHAPE);
    public static final DecisionCacheHint EXACT = new DecisionCacheHint(CacheScope.EXACT);
}
