package dev.portcullis.proxy.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The targets of docs/architecture.md's connections file, loaded at start. The file's records are read with a
 * YAML ObjectMapper, outside any REST signature, so each is registered for reflection (native image).
 */
@ApplicationScoped
public class ConnectionCatalog {

    private static final Logger LOG = Logger.getLogger(ConnectionCatalog.class);

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Credentials(
            String username,
            String passwordFile,
            String passwordEnv,
            String privateKeyFile,
            String tokenFile,
            String clientCertFile,
            String clientKeyFile) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + "]";
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Tls(String mode, String caFile, String serverName) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Connection(
            String name,
            String type,
            String address,
            String database,
            Credentials credentials,
            List<String> accessLevels,
            Map<String, String> tags,
            Duration maxSessionDuration,
            Tls tls,
            String knownHosts) {

        public String host() {
            int i = address.lastIndexOf(':');
            return i < 0 ? address : address.substring(0, i);
        }

        public int port() {
            int i = address.lastIndexOf(':');
            return i < 0 ? ("ssh".equals(type) ? 22 : 5432) : Integer.parseInt(address.substring(i + 1));
        }

        public boolean backendTls() {
            return tls != null && tls.mode() != null && !"disable".equalsIgnoreCase(tls.mode());
        }

        /** Reads the backend password (file or env) now, so a rotated Secret is picked up. Blocking. */
        public char[] readPassword() {
            try {
                if (credentials.passwordFile() != null) {
                    return Files.readString(Path.of(credentials.passwordFile()), StandardCharsets.UTF_8)
                            .strip()
                            .toCharArray();
                }
                if (credentials.passwordEnv() != null && System.getenv(credentials.passwordEnv()) != null) {
                    return System.getenv(credentials.passwordEnv()).toCharArray();
                }
                return new char[0];
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the password file of connection " + name, e);
            }
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record FileContent(Map<String, Connection> connections) {}

    private final Map<String, Connection> connections;

    public ConnectionCatalog(ProxyConfig config) {
        this.connections = config.connections()
                .file()
                .map(ConnectionCatalog::load)
                .orElseGet(() -> {
                    LOG.warn("portcullis.connections.file is not set: no connections, every session will be refused");
                    return Map.of();
                });
    }

    static Map<String, Connection> load(String file) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .findAndRegisterModules()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        try {
            FileContent content = yaml.readValue(Path.of(file).toFile(), FileContent.class);
            Map<String, Connection> out = new LinkedHashMap<>();
            if (content != null && content.connections() != null) {
                content.connections()
                        .forEach((name, c) -> out.put(
                                name,
                                new Connection(
                                        name,
                                        c.type() == null ? "postgres" : c.type(),
                                        c.address(),
                                        c.database(),
                                        c.credentials(),
                                        c.accessLevels() == null ? List.of("read") : c.accessLevels(),
                                        c.tags() == null ? Map.of() : c.tags(),
                                        c.maxSessionDuration(),
                                        c.tls(),
                                        c.knownHosts())));
            }
            LOG.infof("loaded %d connection(s) from %s: %s", out.size(), file, out.keySet());
            return Map.copyOf(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read connections file " + file + ": " + e.getMessage(), e);
        }
    }

    public Optional<Connection> find(String name) {
        return Optional.ofNullable(connections.get(name));
    }
}
