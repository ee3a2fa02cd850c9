package dev.portcullis.console.service;

import dev.portcullis.console.connection.ConnectionCatalog;
import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Connections page: what the connections file says of each connection (docs/architecture.md "Connections"),
 * read-only — type, access levels, tags, approver groups, session limit. Never an address's credentials: the console
 * reads the same validated file as every service, and shows none of its secrets.
 */
@ApplicationScoped
public class ConnectionViews {

    public record Row(
            String name,
            String type,
            List<String> accessLevels,
            Map<String, String> tags,
            List<String> approvers,
            String maxSessionDuration) {}

    private final ConnectionCatalog catalog;

    ConnectionViews(ConnectionCatalog catalog) {
        this.catalog = catalog;
    }

    public List<Row> all() {
        return catalog.all().stream().map(ConnectionViews::row).toList();
    }

    static Row row(Connection c) {
        Duration max = c.maxSessionDuration();
        return new Row(
                c.name(),
                c.type().id(),
                c.accessLevels().stream().map(AccessLevel::id).toList(),
                new TreeMap<>(c.tags()),
                c.approvers(),
                max == null ? "" : AccessRequestViews.duration(max));
    }
}
