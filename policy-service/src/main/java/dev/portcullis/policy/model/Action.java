package dev.portcullis.policy.model;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Locale;

/**
 * What a decision tells session-proxy to do; ordered from least to most restrictive. Registered for
 * reflection so that Jackson finds {@link #json()} ({@code @JsonValue}) in a native image too: without it
 * the decision would silently read {@code "ALLOW"} instead of {@code "allow"}.
 */
@RegisterForReflection
public enum Action {
    ALLOW,
    REVIEW,
    DENY;

    @JsonValue
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isStricterThan(Action other) {
        return ordinal() > other.ordinal();
    }

    public static Action parse(String value) {
        return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "allow" -> ALLOW;
            case "review" -> REVIEW;
            case "deny" -> DENY;
            default -> throw new IllegalArgumentException("action must be allow, review or deny, not '" + value + "'");
        };
    }
}
