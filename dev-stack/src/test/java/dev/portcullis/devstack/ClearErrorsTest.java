package dev.portcullis.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failures a user meets first get messages that say what is wrong and what to do. */
class ClearErrorsTest {

    @Test
    void takenPortNamesThePortTheComponentAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            DevStackException e = assertThrows(
                    DevStackException.class, () -> Ports.requireFree(port, "keycloak", "PORTCULLIS_KEYCLOAK_PORT"));
            assertTrue(e.getMessage().contains("port " + port + " for keycloak is already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("PORTCULLIS_KEYCLOAK_PORT"), e.getMessage());
        }
    }

    @Test
    void aStackWithATakenFixedPortFailsBeforeStartingAnything() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            DevStack stack =
                    DevStack.builder().port(Component.S3, taken.getLocalPort()).build();
            DevStackException e = assertThrows(DevStackException.class, () -> stack.ensure(Component.S3));
            assertTrue(e.getMessage().contains("for s3 is already in use"), e.getMessage());
            assertTrue(stack.processes().isEmpty());
        }
    }

    @Test
    void missingArtifactSaysHowToFetchIt(@TempDir Path emptyRepo) {
        String before = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", emptyRepo.toString());
        try {
            DevStackException e = assertThrows(DevStackException.class, Artifacts::keycloakZip);
            assertTrue(e.getMessage().contains("keycloak-quarkus-dist"), e.getMessage());
            assertTrue(e.getMessage().contains("./mvnw -pl dev-stack -am install"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", before);
            }
        }
    }

    @Test
    void javaOlderThan21IsRefusedForKeycloakByName(@TempDir Path fakeJdk) throws Exception {
        Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        DevStackException e = assertThrows(DevStackException.class, () -> Jdk.find(fakeJdk.toString()));
        assertTrue(e.getMessage().contains("is Java 17; Keycloak needs Java 21 or newer"), e.getMessage());
    }

    @Test
    void readsFeatureVersionFromReleaseFile(@TempDir Path jdk) throws Exception {
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.3\"\n");
        assertEquals(25, Jdk.featureVersion(jdk));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"1.8.0_402\"\n");
        assertEquals(8, Jdk.featureVersion(jdk));
        assertEquals(0, Jdk.featureVersion(jdk.resolve("missing")));
    }

    @Test
    void unknownComponentIsNamed() {
        DevStackException e = assertThrows(DevStackException.class, () -> Component.fromId("redis"));
        assertTrue(e.getMessage().contains("unknown component 'redis'"), e.getMessage());
    }
}
