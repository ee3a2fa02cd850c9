package dev.portcullis.recorder.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.contracts.connections.ConnectionFixtures;
import dev.portcullis.contracts.connections.ConnectionFixtures.Fixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The recorder's reader accepts and rejects the same golden connections files as every service. */
class ConnectionCatalogTest {

    private static final Path DIR = Path.of("target", "connection-fixtures");

    static List<Fixture> valid() {
        return ConnectionFixtures.valid();
    }

    static List<Fixture> invalid() {
        return ConnectionFixtures.invalid();
    }

    @ParameterizedTest
    @MethodSource("valid")
    void acceptsTheValidFiles(Fixture f) {
        assertThat(ConnectionCatalog.load(f.writeTo(DIR)).keySet())
                .containsExactlyInAnyOrderElementsOf(f.connections());
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsTheInvalidFilesWithTheirErrors(Fixture f) {
        assertThatThrownBy(() -> ConnectionCatalog.load(f.writeTo(DIR)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll(f.errors().toArray(String[]::new));
    }

    @Test
    void theTestConnectionsFileIsValidAndGivesTagsAndDurations() {
        var c = ConnectionCatalog.load(Path.of("src/test/resources/connections.yaml"));
        assertThat(c.get("pg-short").maxSessionDuration()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.get("pg-prod").tags()).containsEntry("env", "prod");
    }
}
