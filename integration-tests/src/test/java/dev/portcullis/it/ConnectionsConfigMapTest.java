package dev.portcullis.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.portcullis.contracts.connections.ConnectionsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The connections file shipped in kubernetes/ passes the one validation every service runs at start, and every
 * Deployment that mounts it names it by the one configuration key.
 */
class ConnectionsConfigMapTest {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static Path base() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("kubernetes/base"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "kubernetes/base not found");
        return dir.resolve("kubernetes/base");
    }

    @Test
    void theConfigMapsConnectionsFileIsValid() throws IOException {
        JsonNode configMap =
                YAML.readTree(base().resolve("connections-configmap.yaml").toFile());
        String file = configMap.at("/data/connections.yaml").asText();
        ConnectionsFile.Result r = ConnectionsFile.validate(YAML.readValue(file, Object.class));
        assertEquals(List.of(), r.errors());
        assertEquals(List.of("pg-prod"), List.copyOf(r.connections().keySet()));
    }

    @Test
    void everyServiceThatMountsItReadsItThroughTheOneKey() throws IOException {
        Pattern env = Pattern.compile(
                "- name: " + ConnectionsFile.ENV + "\\s+value: /etc/portcullis/connections/connections\\.yaml");
        for (String service : List.of("session-proxy", "identity-broker", "recorder-service")) {
            String manifest = Files.readString(base().resolve(service + ".yaml"));
            assertTrue(manifest.contains("configMap: { name: portcullis-connections }"), service + " mounts it");
            assertTrue(env.matcher(manifest).find(), service + " sets " + ConnectionsFile.ENV);
        }
    }
}
