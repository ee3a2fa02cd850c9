package dev.portcullis.broker.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes the connections file the tests run against and points the broker at it. */
public class ConnectionsFileResource implements QuarkusTestResourceLifecycleManager {

    /**
     * The tests' connections: a plain one, a production one (two approvers), the realm's demo, an
     * SSH and a Kubernetes one (connection hints), and one only the group {@value #APPROVER_GROUP} decides for.
     */
    public static final String CONNECTIONS = """
            connections:
              pg-test:
                type: postgres
                address: 127.0.0.1:5432
                database: app
                credentials: { username: app_rw, passwordFile: /nonexistent }
                accessLevels: [read, write]
                tags: { env: dev }
              pg-prod:
                type: postgres
                address: db.internal:5432
                database: app
                credentials: { username: app, passwordFile: /nonexistent }
                accessLevels: [read, write, admin]
                tags: { env: prod }
              pg-demo:
                type: postgres
                address: 127.0.0.1:5432
                database: demo
                credentials: { username: demo_app, passwordFile: /nonexistent }
                accessLevels: [read, write, admin]
                tags: { env: prod }
              ssh-test:
                type: ssh
                address: 127.0.0.1:22
                credentials: { username: deploy, privateKeyFile: /nonexistent }
                knownHosts: /nonexistent
                accessLevels: [read, write]
                tags: { env: dev }
              k8s-test:
                type: kubernetes
                address: https://127.0.0.1:6443
                credentials: { tokenFile: /nonexistent }
                accessLevels: [read, write]
                tags: { env: dev }
              pg-dba:
                type: postgres
                address: 127.0.0.1:5432
                database: app
                credentials: { username: app_rw, passwordFile: /nonexistent }
                accessLevels: [read, write]
                tags: { env: dev }
                approvers: [dba-oncall]
            """;

    /** The approver group of {@code pg-dba}; {@link Tokens#APPROVER2} is made a member, {@link Tokens#APPROVER} not. */
    public static final String APPROVER_GROUP = "dba-oncall";

    public static Path file;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createDirectories(
                    Path.of("target", "test-connections").toAbsolutePath());
            file = dir.resolve("connections.yaml");
            Files.writeString(file, CONNECTIONS);
            return Map.of("portcullis.connections.file", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {}
}
