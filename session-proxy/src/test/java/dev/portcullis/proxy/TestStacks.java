package dev.portcullis.proxy;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the SSH and HTTP test resources share: Kafka and Keycloak from the JVM's one dev-stack, and the base settings. */
public final class TestStacks {

    private TestStacks() {}

    /** Kafka (topics created) and Keycloak; {@link Agents} and {@link KafkaProbe} use this stack. */
    public static DevStack kafkaAndKeycloak() {
        DevStack stack = SharedDevStack.ensure(Component.KAFKA, Component.KEYCLOAK);
        stack.kafka().createTopics(DevStack.TOPICS, 1);
        ProxyTestResource.useStack(stack);
        return stack;
    }

    /** The tests' shared {@code hash} mask key (base64 of 39 bytes), so hashes are comparable across runs. */
    public static final String HASH_KEY = "dGVzdC1vbmx5IGhhc2gga2V5IGZvciB0aGUgcHJveHkgdGVzdHMh";

    /**
     * Connections file, token issuer, policy, Kafka, review timeout, spool and hash key: the settings every gateway
     * test sets.
     */
    public static Map<String, String> proxyConfig(
            DevStack stack, FakePolicyServer policy, Path connections, Path dir, String reviewTimeout) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("portcullis.connections.file", connections.toString());
        config.put("portcullis.token.issuer", stack.keycloak().issuer());
        config.put("portcullis.policy.url", policy.url());
        config.put("portcullis.kafka.bootstrap-servers", stack.kafka().bootstrapServers());
        config.put("portcullis.review.timeout", reviewTimeout);
        config.put("portcullis.events.spool-dir", dir.resolve("spool").toString());
        config.put("portcullis.masking.hash-key", HASH_KEY);
        return config;
    }
}
