package dev.portcullis.proxy.events;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * How fast the spool drains into a real Kafka (docs/architecture.md "Delivery"; issue 15's targets: at least
 * 20,000 events/s, 100,000 spooled events in at most 10 s, a session started during the drain acknowledged within
 * 5 s). Not a test: {@code session-proxy/bench/spool-drain.sh [events]} runs it against dev-stack's Kafka and
 * prints the figures.
 */
public final class SpoolDrainBench {

    private SpoolDrainBench() {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        DevStack stack = SharedDevStack.ensure(Component.KAFKA);
        String bootstrap = stack.kafka().bootstrapServers();
        stack.kafka().createTopics(List.of(Topics.SESSION_EVENTS), 12);
        Path dir = Files.createTempDirectory("spool-drain-bench");

        // a spool as a stall leaves it: 200 sessions' events interleaved, ~600 bytes each (a masked statement)
        long spoolBytes;
        try (EventSpool spool = new EventSpool(dir, Long.MAX_VALUE, 8 << 20)) {
            String text = "SELECT abalance FROM pgbench_accounts WHERE aid = 12345 ".repeat(6);
            for (int i = 0; i < events; i++) {
                String session = "00000000-0000-4000-8000-" + String.format("%012d", i % 200);
                String json = EventJson.encode(EventPublisher.sessionEvent(
                        EventTypes.SESSION_REQUEST,
                        session,
                        i / 200,
                        "bench-agent",
                        "pg-bench",
                        new JsonObject().put("kind", "query").put("text", text)));
                spool.append(new EventSpool.Line(Topics.SESSION_EVENTS, session, json, null));
            }
            spool.flush();
            spoolBytes = spool.bytes();
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                EventPublisher.producerConfig(bootstrap, 16 << 20, Duration.ofMillis(1), Duration.ofMillis(500)))) {
            producer.partitionsFor(Topics.SESSION_EVENTS); // metadata first, as a running proxy has it
            EventDelivery delivery = new EventDelivery(
                    producer,
                    new EventSpool(dir, 1L << 40, 8 << 20),
                    new EventDelivery.Settings(16 << 20, 64 << 20, Duration.ofSeconds(2), Duration.ofSeconds(1), false),
                    System::nanoTime);
            long start = System.nanoTime();
            long[] newSession = {0, 0};
            while (delivery.stats().replayed() < events || !delivery.settled()) {
                delivery.step(TimeUnit.MILLISECONDS.toNanos(5));
                if (newSession[0] == 0 && delivery.stats().replayed() > events / 10) {
                    // a session that starts while the drain runs: it must not wait behind it
                    newSession[0] = System.nanoTime();
                    delivery.offer(new EventDelivery.Event(
                            Topics.SESSION_EVENTS,
                            "new-session",
                            () -> "{}",
                            null,
                            ok -> newSession[1] = System.nanoTime()));
                }
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(5)) {
                    throw new IllegalStateException("drain did not finish in 5 minutes: "
                            + delivery.stats().replayed());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "drained %,d spooled events (%,d bytes) in %.2f s: %,.0f events/s; a new session's event was"
                            + " acknowledged %d ms after it was published, during the drain%n",
                    delivery.stats().replayed(),
                    spoolBytes,
                    seconds,
                    delivery.stats().replayed() / seconds,
                    TimeUnit.NANOSECONDS.toMillis(newSession[1] - newSession[0]));
        }
        System.exit(0);
    }
}
