package dev.portcullis.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the distributions dev-stack runs live: resolved by Maven into the local repository when the
 * dev-stack module is built (so they are downloaded and cached like any other artifact).
 */
public final class Artifacts {

    private static final Properties BUILD = load();

    private Artifacts() {}

    private static Properties load() {
        Properties props = new Properties();
        try (InputStream in = Artifacts.class.getResourceAsStream("/devstack-build.properties")) {
            if (in == null) {
                throw new DevStackException(
                        "devstack-build.properties is missing from the dev-stack jar; rebuild it with"
                                + " ./mvnw -pl dev-stack -am install -DskipTests");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    static String version(String key) {
        return BUILD.getProperty(key + ".version");
    }

    /** The local Maven repository: -Dmaven.repo.local wins, then the one the build used. */
    static Path localRepository() {
        String override = System.getProperty("maven.repo.local");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        return Path.of(BUILD.getProperty("local.repository"));
    }

    static Path keycloakZip() {
        String v = version("keycloak");
        return require(
                localRepository()
                        .resolve("org/keycloak/keycloak-quarkus-dist/" + v + "/keycloak-quarkus-dist-" + v + ".zip"),
                "Keycloak distribution org.keycloak:keycloak-quarkus-dist:" + v + ":zip");
    }

    static Path s3proxyJar() {
        String v = version("s3proxy");
        return require(
                localRepository().resolve("org/gaul/s3proxy/" + v + "/s3proxy-" + v + "-jar-with-dependencies.jar"),
                "S3Proxy org.gaul:s3proxy:" + v + ":jar-with-dependencies");
    }

    /** Classpath of the Kafka broker, written by the dev-stack/kafka-server module. */
    static String kafkaClasspath() {
        try (InputStream in = Artifacts.class.getResourceAsStream("/kafka-classpath.txt")) {
            if (in == null) {
                throw new DevStackException("kafka-classpath.txt is missing from the dev-stack jar; rebuild with"
                        + " ./mvnw -pl dev-stack -am install -DskipTests");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String entry : classpath.split(java.io.File.pathSeparator)) {
                require(Path.of(entry), "Kafka broker library " + entry);
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path require(Path path, String what) {
        if (!Files.isRegularFile(path)) {
            throw new DevStackException(
                    what + " is missing (expected at " + path + "). Build dev-stack once with network"
                            + " access to Maven Central: ./mvnw -pl dev-stack -am install -DskipTests");
        }
        return path;
    }
}
