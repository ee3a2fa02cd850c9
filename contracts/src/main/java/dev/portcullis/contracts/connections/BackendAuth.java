package dev.portcullis.contracts.connections;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;
import java.util.Set;

/**
 * How a postgres target may authenticate the proxy's backend connection ({@code backendAuth} in the connections
 * file; the values are libpq's {@code require_auth} names). By default only {@code scram-sha-256}, the one method in
 * which the server proves it knows the credential too; {@code md5} and {@code password} (cleartext) hand a
 * replayable hash or the password itself to whoever answers at the target's address, {@code none} lets a server
 * that asks for nothing be accepted unproven.
 */
public enum BackendAuth {
    SCRAM_SHA_256("scram-sha-256"),
    MD5("md5"),
    PASSWORD("password"),
    NONE("none");

    /** What a postgres connection accepts when the file does not say. */
    public static final Set<BackendAuth> DEFAULT = Set.of(SCRAM_SHA_256);

    private final String id;

    BackendAuth(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public static Optional<BackendAuth> fromId(String id) {
        for (BackendAuth a : values()) {
            if (a.id.equals(id)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return id;
    }
}
