package dev.portcullis.contracts.connections;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden connections files (test-jar, {@code fixtures/connections/}): every service's reader must accept the
 * valid ones with the connections they name and reject the invalid ones with the errors they expect, so the three
 * readers cannot drift apart. A fixture states its expectation in comments: {@code # connections: a b} (the
 * names, in order) for a valid file, one {@code # error: …} line per expected error for an invalid one.
 */
public final class ConnectionFixtures {

    public static final String ROOT = "fixtures/connections/";

    public static final List<String> VALID = List.of(
            "valid/single-credentials.yaml",
            "valid/per-level-credentials.yaml",
            "valid/every-type.yaml",
            "valid/session-limits.yaml",
            "valid/backend-auth.yaml",
            "valid/no-connections.yaml");

    public static final List<String> INVALID = List.of(
            "invalid/bad-names.yaml",
            "invalid/missing-type.yaml",
            "invalid/unknown-type.yaml",
            "invalid/unknown-access-level.yaml",
            "invalid/missing-access-levels.yaml",
            "invalid/credentials-for-undeclared-level.yaml",
            "invalid/mixed-credentials.yaml",
            "invalid/bad-duration.yaml",
            "invalid/bad-session-limits.yaml",
            "invalid/inline-secret.yaml",
            "invalid/missing-fields-per-type.yaml",
            "invalid/field-for-another-type.yaml",
            "invalid/unknown-fields.yaml",
            "invalid/bad-addresses.yaml",
            "invalid/http-credentials.yaml",
            "invalid/bad-tls-mode.yaml",
            "invalid/bad-backend-auth.yaml",
            "invalid/not-a-map.yaml",
            "invalid/duplicate-name.yaml",
            "invalid/empty-file.yaml");

    private ConnectionFixtures() {}

    /**
     * One golden file.
     *
     * @param name its path under {@link #ROOT}
     * @param yaml its text
     * @param connections valid: the names it declares, in order; invalid: empty
     * @param errors invalid: the error texts a reader reports (each appears in the reader's message); valid: empty
     */
    public record Fixture(String name, String yaml, List<String> connections, List<String> errors) {

        public boolean valid() {
            return errors.isEmpty();
        }

        /** Writes the file into {@code dir} (for readers that take a path); returns its path. */
        public Path writeTo(Path dir) {
            try {
                Path file = dir.resolve(name.replace('/', '-'));
                Files.createDirectories(dir);
                Files.writeString(file, yaml);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static List<Fixture> valid() {
        return VALID.stream().map(ConnectionFixtures::load).toList();
    }

    public static List<Fixture> invalid() {
        return INVALID.stream().map(ConnectionFixtures::load).toList();
    }

    public static List<Fixture> all() {
        return Stream.concat(valid().stream(), invalid().stream()).toList();
    }

    public static Fixture load(String name) {
        try (InputStream in = ConnectionFixtures.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + ROOT + name + " on the class path");
            }
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> connections = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (String line : yaml.split("\n")) {
                if (line.startsWith("# connections:")) {
                    String names = line.substring("# connections:".length()).strip();
                    if (!names.isEmpty()) {
                        connections.addAll(Arrays.asList(names.split("\\s+")));
                    }
                } else if (line.startsWith("# error: ")) {
                    errors.add(line.substring("# error: ".length()));
                }
            }
            return new Fixture(name, yaml, List.copyOf(connections), List.copyOf(errors));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
