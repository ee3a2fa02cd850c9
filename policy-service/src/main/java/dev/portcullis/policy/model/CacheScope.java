package dev.portcullis.policy.model;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Locale;

/**
 * Which other requests a decision may be reused for (docs/architecture.md "Policy", ADR 0021). Registered for
 * reflection for its {@code @JsonValue}, as {@link Action} is.
 */
@RegisterForReflection
public enum CacheScope {
    /** Every request of the same shape: no rule that can apply reads a literal-bearing field. */
    SHAPE,
    /** Only a request with the same text and parameters. */
    EXACT;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
