package dev.portcullis.broker.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.broker.config.BrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The connections file, read at start and again whenever it changes. Only names, types, access
 * levels and tags are kept; credentials and addresses stay with session-proxy.
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);
    /** Names become part of a scope {@code conn:<name>:<access>}, so they stay simple. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    private final Optional<Path> file;
    private volatile Map<String, Connection> connections = Map.of();
    private volatile FileTime loadedAt;

    public ConnectionCatalog(BrokerConfig config) {
        this.file = config.connections().file().filter(s -> !s.isBlank()).map(Path::of);
    }

    public Optional<Connection> find(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    public Collection<Connection> all() {
        return connections.values();
    }

    /**
     * Reads the file if it changed since the last read. Returns true when the set of connections
     * was replaced. A broken file keeps the previous set (and says why in the log).
     */
    public synchronized boolean reloadIfChanged() {
        if (file.isEmpty()) {
            return false;
        }
        Path path = file.get();
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            if (modified.equals(loadedAt)) {
                return false;
            }
            Map<String, Connection> parsed = parse(Files.readString(path));
            connections = parsed;
            loadedAt = modified;
            LOG.infof("loaded %d connection(s) from %s", parsed.size(), path);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.errorf(
                    "connections file %s not loaded, keeping the previous %d connection(s): %s",
                    path, connections.size(), e.getMessage());
            return false;
        }
    }

    Map<String, Connection> parse(String text) throws IOException {
        JsonNode root = yaml.readTree(text);
        Map<String, Connection> out = new LinkedHashMap<>();
        if (root == null
                || root.path("connections").isMissingNode()
                || root.path("connections").isNull()) {
            return out;
        }
        JsonNode list = root.path("connections");
        if (!list.isObject()) {
            throw new IllegalArgumentException("'connections' must be a map of name to connection");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = list.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("connection name '" + name + "' must match " + NAME.pattern());
            }
            JsonNode c = e.getValue();
            List<String> levels = new ArrayList<>();
            for (JsonNode l : c.path("accessLevels")) {
                String level = l.asText();
                if (!NAME.matcher(level).matches()) {
                    throw new IllegalArgumentException(
                            "access level '" + level + "' of " + name + " must match " + NAME.pattern());
                }
                levels.add(level);
            }
            if (levels.isEmpty()) {
                throw new IllegalArgumentException("connection " + name + " declares no accessLevels");
            }
            Map<String, String> tags = new LinkedHashMap<>();
            c.path("tags")
                    .fields()
                    .forEachRemaining(t -> tags.put(t.getKey(), t.getValue().asText()));
            out.put(
                    name,
                    new Connection(
                            name,
                            c.path("type").asText("postgres"),
                            c.path("database").asText(null),
                            levels,
                            tags));
        }
        return out;
    }
}
