package dev.portcullis.proxy.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.contracts.connections.ConnectionFixtures;
import dev.portcullis.contracts.connections.ConnectionFixtures.Fixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The proxy's reader accepts and rejects the same golden connections files as every service. */
class ConnectionCatalogTest {

    private static final Path DIR = Path.of("target", "connection-fixtures");

    static List<Fixture> valid() {
        return ConnectionFixtures.valid();
    }

    static List<Fixture> invalid() {
        return ConnectionFixtures.invalid();
    }

    private static Map<String, Connection> load(String fixture) {
        return ConnectionCatalog.load(
                ConnectionFixtures.load(fixture).writeTo(DIR).toString());
    }

    @ParameterizedTest
    @MethodSource("valid")
    void acceptsTheValidFiles(Fixture f) {
        assertEquals(
                f.connections(),
                List.copyOf(ConnectionCatalog.load(f.writeTo(DIR).toString()).keySet()));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsTheInvalidFilesWithTheirErrors(Fixture f) {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> ConnectionCatalog.load(f.writeTo(DIR).toString()));
        for (String error : f.errors()) {
            assertTrue(e.getMessage().contains(error), () -> "expected «" + error + "» in: " + e.getMessage());
        }
    }

    @Test
    void aSessionGetsTheCredentialsOfTheLevelItsTokenGrants() {
        Connection pg = load("valid/per-level-credentials.yaml").get("pg-prod");
        assertEquals("app_ro", Targets.credentials(pg, "read").orElseThrow().username());
        assertEquals("app_rw", Targets.credentials(pg, "write").orElseThrow().username());
        assertTrue(Targets.credentials(pg, "admin").isEmpty());
        Connection single = load("valid/single-credentials.yaml").get("pg-prod");
        assertEquals("app_rw", Targets.credentials(single, "read").orElseThrow().username());
        assertEquals(
                "app_rw", Targets.credentials(single, "admin").orElseThrow().username());
    }

    @Test
    void hostPortAndTlsComeFromTheAddressAndTheTypesDefaults() {
        Map<String, Connection> all = load("valid/every-type.yaml");
        Connection pg = all.get("pg-dev");
        assertEquals("::1", Targets.host(pg));
        assertEquals(5433, Targets.port(pg));
        assertTrue(Targets.tls(pg));
        Connection ssh = all.get("ssh-bastion");
        assertEquals("bastion.internal", Targets.host(ssh));
        assertEquals(2222, Targets.port(ssh));
        assertFalse(Targets.tls(ssh));
        Connection noPort = load("valid/per-level-credentials.yaml").get("ssh-prod");
        assertEquals("10.0.0.5", Targets.host(noPort));
        assertEquals(22, Targets.port(noPort));
    }
}
