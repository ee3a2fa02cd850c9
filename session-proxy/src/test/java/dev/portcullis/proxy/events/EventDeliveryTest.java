package dev.portcullis.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger, stall detection, spool and replay of {@link EventDelivery}, against Kafka's own {@link MockProducer}
 * (acknowledgements completed by hand) and a clock the test moves: no timing, no threads.
 */
class EventDeliveryTest {

    private static final String TOPIC = Topics.SESSION_EVENTS;
    private static final Duration STALL = Duration.ofSeconds(2);
    private static final Duration RETRY = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    /** Per event value: what its listener heard, in order (exactly one entry each, or the test fails). */
    private final Map<String, List<Boolean>> heard = new ConcurrentHashMap<>();

    private EventDelivery delivery;

    @BeforeEach
    void start() throws IOException {
        delivery = delivery(1 << 20, 1 << 20, false);
    }

    private EventDelivery delivery(long spoolMax, long buffer, boolean refuse) throws IOException {
        return new EventDelivery(
                producer,
                new EventSpool(dir.resolve("spool"), spoolMax, 1 << 16),
                new EventDelivery.Settings(buffer, 8 << 20, STALL, RETRY, refuse),
                clock::get);
    }

    private void publish(String key, String value) {
        delivery.offer(new EventDelivery.Event(
                TOPIC,
                key,
                () -> value,
                null,
                ok -> heard.computeIfAbsent(value, v -> new ArrayList<>()).add(ok)));
    }

    private static long lineBytes(String value) {
        return new EventSpool.Line(TOPIC, "s1", value, null).encode().length() + 1;
    }

    private void step() throws InterruptedException {
        delivery.step(0);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private void ackAll() {
        while (producer.completeNext()) {
            // each completion queues an acknowledgement for the next step
        }
    }

    private List<String> sent() {
        return producer.history().stream().map(ProducerRecord::value).toList();
    }

    private List<String> spoolLines() throws IOException {
        List<String> values = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("spool"))) {
            for (Path p : files.sorted().toList()) {
                for (String line : Files.readAllLines(p)) {
                    values.add(EventSpool.Line.decode(line).value());
                }
            }
        }
        return values;
    }

    @Test
    void anAcknowledgedEventIsRecordedAndNeverSpooled() throws Exception {
        publish("s1", "a");
        step();
        assertEquals(List.of("a"), sent());
        assertThat(heard).isEmpty(); // sent is not recorded: acks=all answers first

        ackAll();
        step();

        assertEquals(Map.of("a", List.of(true)), heard);
        assertEquals(1, delivery.stats().published());
        assertThat(spoolLines()).isEmpty();
    }

    @Test
    void aKafkaThatStopsAnsweringIsAStallOnceTheOldestUnacknowledgedEventIsOld() throws Exception {
        publish("s1", "a1");
        publish("s1", "a2");
        publish("s2", "b1");
        step();
        advance(STALL.minusMillis(1));
        step();
        assertThat(heard).isEmpty();
        assertThat(spoolLines()).isEmpty();

        advance(Duration.ofMillis(2));
        step();

        // every unacknowledged event is in the spool, in send order, and counts as recorded
        assertEquals(List.of("a1", "a2", "b1"), spoolLines());
        assertEquals(Map.of("a1", List.of(true), "a2", List.of(true), "b1", List.of(true)), heard);
        assertTrue(delivery.stats().stalled());
        // while stalled, every new event goes behind them, whatever its session
        publish("s3", "c1");
        step();
        assertEquals(List.of("a1", "a2", "b1", "c1"), spoolLines());
        assertEquals(3, sent().size());
    }

    @Test
    void aLateAcknowledgementOfASpooledEventIsIgnored() throws Exception {
        publish("s1", "a1");
        step();
        advance(STALL.plusMillis(1));
        step();
        assertEquals(Map.of("a1", List.of(true)), heard);

        ackAll(); // the stalled broker wrote it after all: a duplicate the recorder's dedupe absorbs
        step();

        assertEquals(Map.of("a1", List.of(true)), heard); // heard once
        assertEquals(0, delivery.stats().published());
    }

    @Test
    void aFailedSendOrCallbackIsAStallAtOnce() throws Exception {
        producer.sendException = new TimeoutException("Topic session-events not present in metadata after 500 ms");
        publish("s1", "a1");
        step();
        assertEquals(List.of("a1"), spoolLines());
        assertEquals(Map.of("a1", List.of(true)), heard);

        producer.sendException = null;
        EventDelivery other = new EventDelivery(
                producer,
                new EventSpool(dir.resolve("spool2"), 1 << 20, 4096),
                new EventDelivery.Settings(1 << 20, 8 << 20, STALL, RETRY, false),
                clock::get);
        List<Boolean> b = new ArrayList<>();
        other.offer(new EventDelivery.Event(TOPIC, "s2", () -> "b1", null, b::add));
        other.step(0);
        producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
        other.step(0);
        assertTrue(other.stats().stalled());
        assertEquals(List.of(true), b);
        assertEquals(1, other.stats().spooled());
    }

    @Test
    void theReplayProbesWhileStalledThenSendsWholeBatchesInOrder() throws Exception {
        for (int i = 0; i < 50; i++) {
            publish(i % 2 == 0 ? "s1" : "s2", "e" + i);
        }
        step();
        advance(STALL.plusMillis(1));
        step();
        assertEquals(50, spoolLines().size());
        producer.clear();

        // one probe per retry interval while stalled
        step();
        assertThat(sent()).isEmpty();
        advance(RETRY);
        step();
        step();
        assertEquals(List.of("e0"), sent());
        advance(STALL.plusMillis(1)); // the probe goes unanswered: still stalled, probe again later
        step();
        advance(RETRY);
        step();
        assertEquals(List.of("e0", "e0"), sent());

        ackAll(); // Kafka answers again
        step();

        assertThat(delivery.stats().stalled()).isFalse();
        // the rest went out in one round, many in flight at once, not one per acknowledgement
        assertEquals(51, sent().size());
        assertEquals(
                java.util.stream.IntStream.range(1, 50).mapToObj(i -> "e" + i).toList(), sent().subList(2, 51));
        ackAll();
        step();
        step();
        assertThat(spoolLines()).isEmpty(); // every segment acknowledged is deleted
        assertEquals(50, delivery.stats().replayed());
    }

    @Test
    void aSessionWithEventsInTheSpoolKeepsSpoolingWhileANewSessionGoesStraightToKafka() throws Exception {
        publish("old", "o1");
        publish("old", "o2");
        step();
        advance(STALL.plusMillis(1));
        step();
        producer.clear();
        advance(RETRY);
        step(); // the probe: o1
        producer.completeNext(); // Kafka answers again
        step(); // the replay sends o2, not yet acknowledged

        publish("old", "o3"); // behind o2
        publish("new", "n1");
        step();

        assertEquals(List.of("o1", "o2", "n1"), sent());
        assertThat(spoolLines()).contains("o3");
        assertEquals(List.of(true), heard.get("o3")); // spooled is recorded
    }

    @Test
    void aSessionReturnsToKafkaOnceTheReplayDeliveredItsSpooledEvents() throws Exception {
        publish("s1", "a1");
        step();
        advance(STALL.plusMillis(1));
        step();
        advance(RETRY);
        step();
        ackAll();
        step();
        step();
        assertThat(spoolLines()).isEmpty();
        producer.clear();

        publish("s1", "a2");
        step();

        assertEquals(List.of("a2"), sent());
        assertThat(spoolLines()).isEmpty();
    }

    @Test
    void theBudgetHoldsEventsInMemoryUntilAcknowledgementsReleaseIt() throws Exception {
        delivery = delivery(1 << 20, 200, false);
        String big = "x".repeat(100);
        publish("s1", big + "1");
        publish("s1", big + "2");
        step();
        assertEquals(1, sent().size()); // the second would pass the 200-byte budget
        assertThat(heard).isEmpty();

        ackAll();
        step();

        assertEquals(2, sent().size());
        assertEquals(Map.of(big + "1", List.of(true)), heard);
    }

    @Test
    void aFullSpoolHoldsTheEventsOfAStalledKafkaAndTellsNobodyTheyAreRecorded() throws Exception {
        String big = "y".repeat(100);
        delivery = delivery(2 * lineBytes(big + "0") + 10, 1 << 20, false);
        for (int i = 0; i < 4; i++) {
            publish("s1", big + i);
        }
        step();
        advance(STALL.plusMillis(1));
        step();

        assertEquals(2, spoolLines().size());
        assertEquals(2, heard.size()); // the two spooled; the others wait
        assertTrue(delivery.stats().spoolFull());
        assertEquals(0, delivery.stats().lost());

        advance(RETRY);
        step();
        ackAll(); // Kafka is back: the replay frees the spool, the held events follow
        step();
        ackAll();
        step();
        ackAll();
        step();
        ackAll();
        step();

        assertEquals(4, heard.size());
        assertThat(heard.values()).allMatch(h -> h.equals(List.of(true)));
        assertThat(delivery.stats().spoolFull()).isFalse();
    }

    @Test
    void withRefuseAFullSpoolGivesTheEventUpAndSaysSo() throws Exception {
        String big = "z".repeat(100);
        delivery = delivery(2 * lineBytes(big + "0") + 10, 1 << 20, true);
        for (int i = 0; i < 4; i++) {
            publish("s1", big + i);
        }
        step();
        advance(STALL.plusMillis(1));
        step();

        assertEquals(List.of(true), heard.get(big + 0));
        assertEquals(List.of(true), heard.get(big + 1));
        assertEquals(List.of(false), heard.get(big + 2));
        assertEquals(List.of(false), heard.get(big + 3));
        assertEquals(2, delivery.stats().lost());
    }

    @Test
    void aSpoolLeftByAnEarlierRunIsReplayedAtStart() throws Exception {
        publish("s1", "a1");
        publish("s1", "a2");
        step();
        advance(STALL.plusMillis(1));
        step();
        delivery.spoolRemaining(); // shutdown
        producer.clear();

        EventDelivery restarted = delivery(1 << 20, 1 << 20, false);
        restarted.step(0);

        assertEquals(List.of("a1", "a2"), sent());
        ackAll();
        restarted.step(0);
        restarted.step(0);
        assertThat(spoolLines()).isEmpty();
    }

    @Test
    void aStallDuringTheReplayResendsOnlyWhatWasNotAcknowledged() throws Exception {
        for (int i = 0; i < 6; i++) {
            publish("s1", "e" + i);
        }
        step();
        advance(STALL.plusMillis(1));
        step();
        producer.clear();
        advance(RETRY);
        step();
        producer.completeNext(); // the probe e0
        step(); // unstalled: e1..e5 go out
        producer.clear(); // and are never answered
        advance(STALL.plusMillis(1));
        step(); // e1..e5 unanswered: stalled again
        advance(RETRY);
        step();

        assertEquals(List.of("e1"), sent()); // e0 was acknowledged: not sent again
    }
}
