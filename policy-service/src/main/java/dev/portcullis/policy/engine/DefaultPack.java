package dev.portcullis.policy.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The default policy pack shipped in {@code src/main/resources/policies/}: id → YAML. */
public final class DefaultPack {

    public static final List<String> IDS = List.of(
            "default-base",
            "default-postgres",
            "default-ssh",
            "default-kubernetes",
            "default-masking",
            "default-time-windows");

    private DefaultPack() {}

    public static Map<String, String> sources() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String id : IDS) {
            String resource = "policies/" + id + ".yaml";
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("default pack resource missing: " + resource);
                }
                out.put(id, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
