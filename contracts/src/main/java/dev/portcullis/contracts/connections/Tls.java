package dev.portcullis.contracts.connections;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/**
 * TLS toward a postgres, kubernetes or http target.
 *
 * @param mode {@code require} or {@code disable}; null when the file does not say (an {@code https://} address
 *     still means TLS)
 * @param caFile PEM file of the CA that signed the target's certificate; null: the JVM's trust store
 * @param serverName the name checked in the target's certificate and sent as SNI; null: the address's host
 */
public record Tls(Mode mode, String caFile, String serverName) {

    public enum Mode {
        DISABLE("disable"),
        REQUIRE("require");

        private final String id;

        Mode(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        public static Optional<Mode> fromId(String id) {
            for (Mode m : values()) {
                if (m.id.equals(id)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Whether the file asks for TLS ({@code mode: require}). */
    public boolean required() {
        return mode == Mode.REQUIRE;
    }
}
