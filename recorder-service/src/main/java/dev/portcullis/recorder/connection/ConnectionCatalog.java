package dev.portcullis.recorder.connection;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionsFile;
import dev.portcullis.contracts.connections.InvalidConnectionsFileException;
import dev.portcullis.recorder.config.RecorderConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What the recorder needs of the connections file (docs/architecture.md "Connections"): each connection's tags
 * (retention) and max session duration (closing sessions that never ended). Read once at start and validated by
 * {@link ConnectionsFile} like in every service; a file that cannot be read or is not valid stops the start.
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);
    /** Plain maps for the shared validation; a name given twice must not silently replace the first. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Map<String, Connection> connections;

    public ConnectionCatalog(RecorderConfig config) {
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

    public Optional<Duration> maxSessionDuration(String connection) {
        return connection == null
                ? Optional.empty()
                : Optional.ofNullable(connections.get(connection)).map(Connection::maxSessionDuration);
    }

    /** The shortest max duration any connection has (for finding candidates cheaply). */
    public Optional<Duration> shortestMaxSessionDuration() {
        return connections.values().stream()
                .map(Connection::maxSessionDuration)
                .filter(d -> d != null)
                .min(Duration::compareTo);
    }

    public Map<String, String> tags(String connection) {
        Connection c = connection == null ? null : connections.get(connection);
        return c == null ? Map.of() : c.tags();
    }
}
