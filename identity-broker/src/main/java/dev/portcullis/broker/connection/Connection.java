package dev.portcullis.broker.connection;

import java.util.List;
import java.util.Map;

/** What the broker knows of a target: its name, type, access levels and tags (never its credentials). */
public record Connection(
        String name, String type, String database, List<String> accessLevels, Map<String, String> tags) {

    public Connection {
        accessLevels = List.copyOf(accessLevels);
        tags = Map.copyOf(tags);
    }

    /** Client scope that grants {@code access} on this connection. */
    public String scope(String access) {
        return scopeName(name, access);
    }

    public static String scopeName(String connection, String access) {
        return "conn:" + connection + ":" + access;
    }
}
