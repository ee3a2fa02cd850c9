package dev.portcullis.proxy;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real PostgreSQL (SCRAM only), Kafka and Keycloak from dev-stack; a target database {@code demo}
 * owned by {@code demo_app} with a {@code customers} table; the connections file declaring it as
 * {@code pg-demo}; and the {@link FakePolicyServer} standing in for policy-service.
 */
public class ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String CONNECTION = "pg-demo";
    public static final String DATABASE = "demo";
    public static final String ROLE = "demo_app";

    private static DevStack stack;
    private static FakePolicyServer policy;

    public static DevStack stack() {
        return stack;
    }

    /** For test resources that start their own subset of the stack (the SSH tests need no PostgreSQL). */
    public static void useStack(DevStack s) {
        stack = s;
    }

    public static FakePolicyServer policy() {
        return policy;
    }

    @Override
    public Map<String, String> start() {
        stack = SharedDevStack.ensure(Component.POSTGRES, Component.KAFKA, Component.KEYCLOAK);
        stack.kafka().createTopics(DevStack.TOPICS, 1);
        String password = "demo-pw-" + System.nanoTime();
        stack.postgres().createDatabase(DATABASE, ROLE, password);
        stack.postgres()
                .execute(
                        DATABASE,
                        "DROP TABLE IF EXISTS customers",
                        """
                CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL,
                    card_number text NOT NULL, note text)""",
                        "ALTER TABLE customers OWNER TO " + ROLE,
                        """
                INSERT INTO customers (name, email, card_number, note) VALUES
                  ('Ada Lovelace', 'ada@example.com', '4111111111111111', 'card 4111 1111 1111 1111 on file'),
                  ('Alan Turing', 'alan@example.org', '5555555555554444', 'no notes'),
                  ('Grace Hopper', 'grace@example.net', '378282246310005', 'call grace@example.net')""",
                        "DROP TABLE IF EXISTS scratch",
                        "CREATE TABLE scratch (id int)",
                        "ALTER TABLE scratch OWNER TO " + ROLE,
                        "INSERT INTO scratch SELECT generate_series(1, 5)");
        try {
            Path dir = Path.of("target", "proxy-test").toAbsolutePath();
            Files.createDirectories(dir);
            Path pw = dir.resolve("pg-demo.password");
            Files.writeString(pw, password);
            Path connections = dir.resolve("connections.yaml");
            Files.writeString(connections, """
                    connections:
                      %s:
                        type: postgres
                        address: 127.0.0.1:%d
                        database: %s
                        credentials: { username: %s, passwordFile: %s }
                        accessLevels: [read, write, admin]
                        tags: { env: prod }
                        maxSessionDuration: PT1H
                      pg-other:
                        type: postgres
                        address: 127.0.0.1:%d
                        database: %s
                        credentials: { username: %s, passwordFile: %s }
                        accessLevels: [read]
                    """.formatted(
                            CONNECTION,
                            stack.postgres().port(),
                            DATABASE,
                            ROLE,
                            pw,
                            stack.postgres().port(),
                            DATABASE,
                            ROLE,
                            pw));
            policy = FakePolicyServer.start();
            Map<String, String> config = new LinkedHashMap<>();
            config.put("portcullis.connections.file", connections.toString());
            config.put("portcullis.token.issuer", stack.keycloak().issuer());
            config.put("portcullis.policy.url", policy.url());
            config.put("portcullis.kafka.bootstrap-servers", stack.kafka().bootstrapServers());
            config.put("portcullis.review.timeout", "8s");
            config.put("portcullis.pg.startup-timeout", "3s");
            config.put("portcullis.pg.max-message-size", "1048576");
            config.put("portcullis.events.spool-dir", dir.resolve("spool").toString());
            config.put("portcullis.masking.hash-key", TestStacks.HASH_KEY);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (policy != null) {
            policy.close();
        }
    }
}
