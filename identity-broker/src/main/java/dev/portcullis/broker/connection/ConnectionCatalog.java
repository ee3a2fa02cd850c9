package dev.portcullis.broker.connection;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.ConnectionsFile;
import dev.portcullis.contracts.connections.InvalidConnectionsFileException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The connections file (docs/architecture.md "Connections"), read at start and again whenever it changes, and
 * validated by {@link ConnectionsFile} like in every service: a file is used whole or not at all. Only names, types,
 * access levels, tags and approver groups are kept; credentials and addresses stay with session-proxy.
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);
    /** Plain maps for the shared validation; a name given twice must not silently replace the first. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

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

    /**
     * The connections of a file's text, validated by {@link ConnectionsFile} like in every service; what the broker
     * keeps of each (never its credentials or address).
     *
     * @throws IOException when the text is not YAML or names a connection twice
     * @throws InvalidConnectionsFileException listing every error when the file is not valid
     */
    static Map<String, Connection> parse(String text) throws IOException {
        Map<String, Connection> out = new LinkedHashMap<>();
        ConnectionsFile.validate(YAML.readValue(text, Object.class))
                .orThrow()
                .forEach((name, c) -> out.put(
                        name,
                        new Connection(
                                name,
                                c.type().id(),
                                c.database(),
                                AccessLevel.ids(c.accessLevels()),
                                c.tags(),
                                c.approvers())));
        return out;
    }
}
