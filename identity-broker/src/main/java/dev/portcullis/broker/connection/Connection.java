package dev.portcullis.broker.connection;

import java.util.List;
import java.util.Map;

/**
 * What the broker knows of a target: its name, type, access levels, tags and approver groups (never its
 * credentials).
 *
 * @param approvers the groups whose members decide its reviews and access requests; empty: every approver
 */
public record Connection(
        String name,
        String type,
        String database,
        List<String> accessLevels,
        Map<String, String> tags,
        List<String> approvers) {

    public Connection {
        accessLevels = List.copyOf(accessLevels);
        tags = Map.copyOf(tags);
        approvers = List.copyOf(approvers);
    }

    /** A connection every approver may decide for. */
    public Connection(String name, String type, String database, List<String> accessLevels, Map<String, String> tags) {
        this(name, type, database, accessLevels, tags, List.of());
    }

    /** Client scope that grants {@code access} on this connection. */
    public String scope(String access) {
        return scopeName(name, access);
    }

    public static String scopeName(String connection, String access) {
        return "conn:" + connection + ":" + access;
    }
}
