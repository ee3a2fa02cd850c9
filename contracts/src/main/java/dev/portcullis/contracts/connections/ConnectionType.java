package dev.portcullis.contracts.connections;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;

/** The protocol of a target; it decides which fields a connection needs. */
public enum ConnectionType {
    POSTGRES("postgres"),
    SSH("ssh"),
    KUBERNETES("kubernetes"),
    HTTP("http");

    private final String id;

    ConnectionType(String id) {
        this.id = id;
    }

    /** The name in the connections file and in policy input ({@code connection.type}). */
    @JsonValue
    public String id() {
        return id;
    }

    /** The type named exactly {@code id}. */
    public static Optional<ConnectionType> fromId(String id) {
        for (ConnectionType t : values()) {
            if (t.id.equals(id)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}
