package dev.portcullis.policy.model;

import java.util.Locale;

/** What a rule does when its condition holds. */
public enum Effect {
    ALLOW,
    DENY,
    REVIEW,
    MASK;

    public static Effect parse(String value) {
        return switch (value == null ? "" : value.toLowerCase(Locale.ROOT)) {
            case "allow" -> ALLOW;
            case "deny" -> DENY;
            case "review" -> REVIEW;
            case "mask" -> MASK;
            default ->
                throw new IllegalArgumentException("effect must be allow, deny, review or mask, not '" + value + "'");
        };
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
