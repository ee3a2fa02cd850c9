package dev.portcullis.recorder.connections;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.portcullis.recorder.config.RecorderConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * What the recorder needs of docs/architecture.md's connections file: each connection's tags (retention) and
 * max session duration (closing sessions that never ended). Credentials are not read. Both records
 * are read with a YAML ObjectMapper, outside any REST signature, so they are registered for reflection
 * (native image).
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Connection(String type, Map<String, String> tags, Duration maxSessionDuration) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record File(Map<String, Connection> connections) {}

    private final Map<String, Connection> connections;

    public ConnectionCatalog(RecorderConfig config) {
        this.connections = config.connectionsFile()
                .filter(p -> !p.toString().isBlank())
                .map(ConnectionCatalog::load)
                .orElse(Map.of());
    }

    static Map<String, Connection> load(Path path) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .registerModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            File f = yaml.readValue(Files.readAllBytes(path), File.class);
            Map<String, Connection> c = f == null || f.connections() == null ? Map.of() : Map.copyOf(f.connections());
            LOG.infof("connections file %s: %d connections", path, c.size());
            return c;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read connections file " + path + ": " + e.getMessage(), e);
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
        return c == null || c.tags() == null ? Map.of() : c.tags();
    }
}
