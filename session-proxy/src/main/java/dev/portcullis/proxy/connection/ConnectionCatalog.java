package dev.portcullis.proxy.connection;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionsFile;
import dev.portcullis.contracts.connections.InvalidConnectionsFileException;
import dev.portcullis.proxy.config.ProxyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The targets of the connections file (docs/architecture.md "Connections"), loaded once at start and validated by
 * {@link ConnectionsFile} like in every service; a file that cannot be read or is not valid stops the start. The
 * file is read into plain maps and the {@code contracts} records are built by hand, so nothing here needs
 * registering for reflection (native image).
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);
    /** A name given twice must not silently replace the first. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Map<String, Connection> connections;

    public ConnectionCatalog(ProxyConfig config) {
        this.connections = config.connections()
                .file()
                .map(ConnectionCatalog::load)
                .orElseGet(() -> {
                    LOG.warnf(
                            "%s is not set: no connections, every session will be refused", ConnectionsFile.CONFIG_KEY);
                    return Map.of();
                });
    }

    static Map<String, Connection> load(String file) {
        try {
            Map<String, Connection> out = ConnectionsFile.validate(
                            YAML.readValue(Files.readAllBytes(Path.of(file)), Object.class))
                    .orThrow();
            LOG.infof("loaded %d connection(s) from %s: %s", out.size(), file, out.keySet());
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read connections file " + file + ": " + e.getMessage(), e);
        } catch (InvalidConnectionsFileException e) {
            throw new IllegalStateException("connections file " + file + " is not valid, " + e.getMessage(), e);
        }
    }

    public Optional<Connection> find(String name) {
        return Optional.ofNullable(connections.get(name));
    }
}
