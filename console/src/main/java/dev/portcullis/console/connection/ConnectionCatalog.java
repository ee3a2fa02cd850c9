package dev.portcullis.console.connection;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.console.config.ConsoleConfig;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionsFile;
import dev.portcullis.contracts.connections.InvalidConnectionsFileException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What the console shows of the connections file (docs/architecture.md "Connections"): each connection's tags.
 * Read once at start and validated by {@link ConnectionsFile} like in every service; a file that cannot be read or is
 * not valid stops the start.
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Map<String, Connection> connections;

    public ConnectionCatalog(ConsoleConfig config) {
        this.connections = config.connections()
                .file()
                .filter(p -> !p.toString().isBlank())
                .map(ConnectionCatalog::load)
                .orElse(Map.of());
    }

    static Map<String, Connection> load(Path path) {
        try {
            Map<String, Connection> c = ConnectionsFile.validate(YAML.readValue(Files.readAllBytes(path), Object.class))
                    .orThrow();
            LOG.infof("connections file %s: %d connections", path, c.size());
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read connections file " + path + ": " + e.getMessage(), e);
        } catch (InvalidConnectionsFileException e) {
            throw new IllegalStateException("connections file " + path + " is not valid, " + e.getMessage(), e);
        }
    }

    /** Every connection of the file, in its order. */
    public Collection<Connection> all() {
        return connections.values();
    }

    /** The connection's tags; none for a connection the file does not name. */
    public Map<String, String> tags(String connection) {
        Connection c = connection == null ? null : connections.get(connection);
        return c == null || c.tags() == null ? Map.of() : c.tags();
    }
}
