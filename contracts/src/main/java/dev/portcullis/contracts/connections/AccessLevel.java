package dev.portcullis.contracts.connections;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a grant allows on a connection (the {@code <access>} of a {@code conn:<connection>:<access>} scope), narrowest
 * first: the declaration order is the order of privilege.
 */
public enum AccessLevel {
    READ("read"),
    WRITE("write"),
    ADMIN("admin");

    private final String id;

    AccessLevel(String id) {
        this.id = id;
    }

    /** The name in the connections file and in scopes. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The level named exactly {@code id} (lower case, as written in the file and in scopes). */
    public static Optional<AccessLevel> fromId(String id) {
        for (AccessLevel l : values()) {
            if (l.id.equals(id)) {
                return Optional.of(l);
            }
        }
        return Optional.empty();
    }

    /** The ids of {@code levels}, in their order. */
    public static List<String> ids(Collection<AccessLevel> levels) {
        return levels.stream().map(AccessLevel::id).toList();
    }

    @Override
    public String toString() {
        return id;
    }
}
