package dev.portcullis.broker.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.support.ConnectionsFileResource;
import dev.portcullis.contracts.connections.ConnectionFixtures;
import dev.portcullis.contracts.connections.ConnectionFixtures.Fixture;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The broker's reader accepts and rejects the same golden connections files as every service. */
class ConnectionCatalogTest {

    static List<Fixture> valid() {
        return ConnectionFixtures.valid();
    }

    static List<Fixture> invalid() {
        return ConnectionFixtures.invalid();
    }

    @ParameterizedTest
    @MethodSource("valid")
    void acceptsTheValidFiles(Fixture f) throws IOException {
        assertEquals(
                f.connections(), List.copyOf(ConnectionCatalog.parse(f.yaml()).keySet()));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void rejectsTheInvalidFilesWithTheirErrors(Fixture f) {
        Exception e = assertThrows(Exception.class, () -> ConnectionCatalog.parse(f.yaml()));
        assertTrue(e instanceof IOException || e instanceof IllegalArgumentException, e.toString());
        for (String error : f.errors()) {
            assertTrue(e.getMessage().contains(error), () -> "expected «" + error + "» in: " + e.getMessage());
        }
    }

    @Test
    void keepsNamesTypesLevelsAndTagsOnly() throws IOException {
        Map<String, Connection> c = ConnectionCatalog.parse(
                ConnectionFixtures.load("valid/per-level-credentials.yaml").yaml());
        assertEquals(
                new Connection("pg-prod", "postgres", "app", List.of("read", "write"), Map.of("env", "prod")),
                c.get("pg-prod"));
        assertEquals(List.of("read", "admin"), c.get("ssh-prod").accessLevels(), "narrow to wide, whatever the order");
    }

    @Test
    void keepsTheApproverGroups() throws IOException {
        assertEquals(
                List.of("dba-oncall"),
                ConnectionCatalog.parse(ConnectionsFileResource.CONNECTIONS)
                        .get("pg-dba")
                        .approvers());
        assertEquals(
                List.of(),
                ConnectionCatalog.parse(ConnectionsFileResource.CONNECTIONS)
                        .get("pg-prod")
                        .approvers());
    }

    @Test
    void theTestsConnectionsFileIsValid() throws IOException {
        assertEquals(
                List.of("pg-test", "pg-prod", "pg-demo", "ssh-test", "k8s-test", "pg-dba"),
                List.copyOf(ConnectionCatalog.parse(ConnectionsFileResource.CONNECTIONS)
                        .keySet()));
    }
}
