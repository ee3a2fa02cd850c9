package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.proxy.config.ProxyConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (its name keeps it out of {@code verify}): how long a proxy that starts takes to rebuild
 * the kill switch's cut-offs from {@code identity-events} when {@code bench.events} (10,000) kill switches are in the
 * lookback. The events are dated 23 h 58 min ago (record timestamps), so they fall out of the 24 h lookback two
 * minutes later and later proxy starts skip them. Run: {@code ./mvnw -pl session-proxy -am test
 * -Dtest=KillSwitchRebuildBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class KillSwitchRebuildBenchmark {

    @Test
    void rebuildAfterARestart() throws Exception {
        DevStack stack = SharedDevStack.ensure(Component.KAFKA);
        stack.kafka().createTopics(DevStack.TOPICS, 1);
        int n = Integer.getInteger("bench.events", 10_000);
        Instant at = Instant.now().minus(Duration.ofHours(24)).plus(Duration.ofMinutes(2));
        String run = Long.toString(System.nanoTime(), 36);
        Properties p = new Properties();
        p.put("bootstrap.servers", stack.kafka().bootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("linger.ms", "20");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                String agent = "bench-" + run + "-" + i;
                JsonObject event = new JsonObject()
                        .put("specversion", "1.0")
                        .put("id", run + "-" + i)
                        .put("source", "/bench")
                        .put("type", EventTypes.AGENT_DISABLED)
                        .put("subject", agent)
                        .put("data", new JsonObject().put("agent", agent));
                // signed as the broker signs them: the rebuild's figure includes checking each signature
                producer.send(new ProducerRecord<>(
                        Topics.IDENTITY_EVENTS,
                        null,
                        at.toEpochMilli(),
                        agent,
                        dev.portcullis.proxy.KafkaProbe.signed(event.encode())));
            }
            producer.flush();
        }
        Map<String, String> values = new HashMap<>();
        values.put("portcullis.token.issuer", "http://127.0.0.1:8180/realms/portcullis");
        values.put("portcullis.kafka.bootstrap-servers", stack.kafka().bootstrapServers());
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ProxyConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(values, "bench", 500))
                .build();
        SessionRegistry registry = new SessionRegistry();
        ProxyConfig proxyConfig = config.getConfigMapping(ProxyConfig.class);
        Vertx vertx = Vertx.vertx();
        ControlEventTrust trust = new ControlEventTrust(dev.portcullis.contracts.recording.SigningKeys.byId(
                java.util.List.of(dev.portcullis.proxy.KafkaProbe.BROKER_KEY.getPublic())));
        ControlEventsListener listener =
                new ControlEventsListener(proxyConfig, registry, new ReviewHolds(vertx, proxyConfig), trust);
        long t0 = System.nanoTime();
        listener.onStart(null); // as at a start: its own thread
        try {
            assertTrue(registry.awaitCutOffs(Duration.ofSeconds(60)), "rebuilt");
            double seconds = (System.nanoTime() - t0) / 1e9;
            Instant before = at.minusSeconds(5);
            assertTrue(registry.cutOff("bench-" + run + "-0", before, "any"), "the first kill switch is known");
            assertTrue(registry.cutOff("bench-" + run + "-" + (n - 1), before, "any"), "the last one too");
            assertFalse(
                    registry.cutOff("bench-" + run + "-0", at.plusSeconds(5), "any"), "a newer token is not cut off");
            System.out.printf(
                    "kill-switch rebuild: %d events in the lookback, ready after %.2f s (the listener's own figure %d ms)%n",
                    n, seconds, listener.rebuildMillis());
        } finally {
            listener.onStop(null);
            vertx.close();
        }
    }
}
