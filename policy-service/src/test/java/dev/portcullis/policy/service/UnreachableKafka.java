package dev.portcullis.policy.service;

import dev.portcullis.contracts.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-profile overrides that point the decision-log channel at a closed port (Kafka unreachable: every log stays
 * pending) with the producer blocking long enough that the service's own bounds, not Kafka's, decide.
 */
final class UnreachableKafka {

    private UnreachableKafka() {}

    /** The overrides, plus {@code bounds} (the decision-log bounds the test exercises). */
    static Map<String, String> overrides(Map<String, String> bounds) {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(bounds);
        config.put("mp.messaging.outgoing." + Topics.DECISION_LOGS + ".bootstrap.servers", "127.0.0.1:" + closed);
        config.put("mp.messaging.outgoing." + Topics.DECISION_LOGS + ".max.block.ms", "60000");
        config.put("mp.messaging.outgoing." + Topics.DECISION_LOGS + ".health-enabled", "false");
        return config;
    }
}
