package dev.portcullis.proxy;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.ReadOnlyRole;
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
 * owned by {@code demo_app} with a {@code customers} table, and the read-only role {@code demo_read}
 * beside it (dev-stack's {@code ReadOnlyRole}, as `up` provisions it); the connections file declaring
 * it as {@code pg-demo} with per-level credentials (read sessions as {@code demo_read}, write and
 * admin as {@code demo_app}), and demo-agent granted {@code conn:pg-demo:write} in Keycloak
 * ({@link Agents#demoAgentWriteToken}) for the tests that write; and the {@link FakePolicyServer}
 * standing in for policy-service.
 */
public class ProxyTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String CONNECTION = "pg-demo";
    public static final String DATABASE = "demo";
    public static final String ROLE = "demo_app";
    /** A misconfigured connection whose read sessions would log in as the owner: the read-role audit refuses it. */
    public static final String OWNER_AS_READ = "pg-owner-as-read";
    /** The read-only role of pg-demo's read sessions. */
    public static final String READ_ROLE = "demo_read";

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
        String readPassword = "demo-read-pw-" + System.nanoTime();
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
        ReadOnlyRole.provision(stack.postgres(), DATABASE, ROLE, READ_ROLE, readPassword);
        // tests create their own tables as the superuser, then hand them to demo_app: readable by read sessions too
        stack.postgres()
                .execute(
                        DATABASE,
                        "ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO "
                                + READ_ROLE);
        try {
            Path dir = Path.of("target", "proxy-test").toAbsolutePath();
            Files.createDirectories(dir);
            Path pw = dir.resolve("pg-demo.password");
            Files.writeString(pw, password);
            Path readPw = dir.resolve("pg-demo-read.password");
            Files.writeString(readPw, readPassword);
            Path connections = dir.resolve("connections.yaml");
            Files.writeString(connections, """
                    connections:
                      %s:
                        type: postgres
                        address: 127.0.0.1:%d
                        database: %s
                        credentials:
                          read: { username: %s, passwordFile: %s }
                          write: { username: %s, passwordFile: %s }
                          admin: { username: %s, passwordFile: %s }
                        accessLevels: [read, write, admin]
                        tags: { env: prod }
                        maxSessionDuration: PT1H
                      pg-other:
                        type: postgres
                        address: 127.0.0.1:%d
                        database: %s
                        credentials: { username: %s, passwordFile: %s }
                        accessLevels: [read]
                      %s:
                        type: postgres
                        address: 127.0.0.1:%d
                        database: %s
                        credentials: { username: %s, passwordFile: %s }
                        accessLevels: [read]
                    """.formatted(
                            CONNECTION,
                            stack.postgres().port(),
                            DATABASE,
                            READ_ROLE,
                            readPw,
                            ROLE,
                            pw,
                            ROLE,
                            pw,
                            stack.postgres().port(),
                            DATABASE,
                            READ_ROLE,
                            readPw,
                            OWNER_AS_READ,
                            stack.postgres().port(),
                            DATABASE,
                            ROLE,
                            pw));
            KeycloakScopes.grantDemoAgent(CONNECTION, "write");
            KeycloakScopes.grantDemoAgent(OWNER_AS_READ, "read");
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
            // the test broker's key: KafkaProbe signs review decisions and kill switches with it
            config.put("portcullis.control-events.public-keys", KafkaProbe.BROKER_PUBLIC_KEY_FILE.toString());
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
