package dev.portcullis.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Write-ahead through the journal ({@link EventJournal} in {@link EventDelivery}, ADR 0031): an event counts as
 * recorded once its journal line is flushed, before Kafka answers; Kafka's acknowledgement or the spool releases the
 * line; what a crash leaves in the journal is replayed at the next start. Kafka's {@link MockProducer} with
 * acknowledgements completed by hand and a clock the test moves: no timing, no threads.
 */
class EventJournalTest {

    private static final String TOPIC = Topics.SESSION_EVENTS;
    private static final Duration STALL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Map<String, List<Boolean>> heard = new ConcurrentHashMap<>();

    private Path spoolDir() {
        return dir.resolve("spool");
    }

    private EventDelivery delivery(MockProducer<String, String> producer, long segmentBytes, long spoolMax)
            throws IOException {
        return delivery(producer, segmentBytes, spoolMax, 1 << 20, 8 << 20);
    }

    private EventDelivery delivery(
            MockProducer<String, String> producer, long segmentBytes, long spoolMax, long bufferBytes, long memory)
            throws IOException {
        return new EventDelivery(
                producer,
                new EventSpool(spoolDir(), spoolMax, 1 << 16),
                new EventJournal(spoolDir(), segmentBytes),
                new EventDelivery.Settings(bufferBytes, memory, STALL, Duration.ofSeconds(1), false),
                clock::get);
    }

    private static MockProducer<String, String> producer() {
        return new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    }

    private void publish(EventDelivery d, String key, String value) {
        d.offer(new EventDelivery.Event(
                TOPIC,
                key,
                () -> value,
                null,
                ok -> heard.computeIfAbsent(value, v -> new ArrayList<>()).add(ok)));
    }

    private static void ackAll(MockProducer<String, String> p) {
        while (p.completeNext()) {
            // each completion queues an acknowledgement for the next step
        }
    }

    private List<String> lines(Path d, String glob) throws IOException {
        List<String> values = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return values;
        }
        try (Stream<Path> files = Files.list(d)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches(glob))
                    .sorted()
                    .toList()) {
                for (String line : Files.readAllLines(p)) {
                    values.add(EventSpool.Line.decode(line).value());
                }
            }
        }
        return values;
    }

    private List<String> journalLines() throws IOException {
        return lines(spoolDir().resolve(EventJournal.DIR), "jrn-.*\\.jsonl");
    }

    private List<String> spoolLines() throws IOException {
        return lines(spoolDir(), "seg-.*\\.jsonl");
    }

    @Test
    void aJournaledEventIsRecordedBeforeKafkaAnswersAndItsLineGoesWithTheAcknowledgement() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        publish(d, "s1", "a");
        publish(d, "s1", "b");
        d.step(0);

        assertEquals(
                List.of("a", "b"),
                producer.history().stream().map(ProducerRecord::value).toList());
        assertEquals(Map.of("a", List.of(true), "b", List.of(true)), heard, "recorded without Kafka's answer");
        assertEquals(List.of("a", "b"), journalLines(), "because the journal holds them");
        assertThat(spoolLines()).isEmpty();

        ackAll(producer);
        d.step(0);
        assertEquals(Map.of("a", List.of(true), "b", List.of(true)), heard, "told once, not again at the ack");
        assertEquals(2, d.stats().published());
        assertEquals(0, d.journalPending());
    }

    @Test
    void aSegmentIsDeletedOnceSealedAndEveryLineOfItIsAcknowledged() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        String big = "x".repeat(1500);
        for (int i = 0; i < 9; i++) {
            publish(d, "s1", big + i);
        }
        d.step(0);
        assertThat(d.journalSegments()).isGreaterThan(2);
        assertEquals(9, journalLines().size());

        ackAll(producer);
        d.step(0);
        assertEquals(0, d.journalPending());
        assertThat(d.journalSegments()).as("only the active segment is left").isLessThanOrEqualTo(1);
        assertThat(journalLines().size()).as("the sealed ones are gone").isLessThan(9);
    }

    @Test
    void aStallMovesJournaledEventsToTheSpoolReleasesTheirLinesAndTellsNobodyTwice() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        publish(d, "s1", "a1");
        publish(d, "s2", "b1");
        d.step(0);
        assertEquals(Map.of("a1", List.of(true), "b1", List.of(true)), heard);

        clock.addAndGet(STALL.plusMillis(1).toNanos());
        d.step(0);

        assertEquals(List.of("a1", "b1"), spoolLines(), "the spool has them now");
        assertEquals(0, d.journalPending(), "so the journal lets them go");
        assertEquals(Map.of("a1", List.of(true), "b1", List.of(true)), heard);
        // a late acknowledgement of the first send is ignored
        ackAll(producer);
        d.step(0);
        assertEquals(Map.of("a1", List.of(true), "b1", List.of(true)), heard);
    }

    @Test
    void whatACrashLeavesInTheJournalIsReplayedAtTheNextStart() throws Exception {
        MockProducer<String, String> first = producer();
        EventDelivery d = delivery(first, 1 << 16, 1 << 20);
        publish(d, "s1", "a1");
        publish(d, "s1", "a2");
        d.step(0);
        assertEquals(Map.of("a1", List.of(true), "a2", List.of(true)), heard);
        first.completeNext(); // Kafka has a1; then the process dies (kill -9): no close, no spooling

        MockProducer<String, String> second = producer();
        EventDelivery next = delivery(second, 1 << 16, 1 << 20);
        next.step(0);
        // both lines are sent again (a1 is a duplicate the recorder's (session_id, seq) dedupe absorbs)
        assertEquals(
                List.of("a1", "a2"),
                second.history().stream().map(ProducerRecord::value).toList());
        ackAll(second);
        next.step(0);
        next.step(0);
        assertThat(journalLines())
                .as("the replayed leftover segment is deleted")
                .isEmpty();
        assertEquals(0, next.journalPending());
        assertEquals(2, next.stats().replayed());
    }

    @Test
    void aCleanShutdownLeavesNoJournalBehind() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 1 << 16, 1 << 20);
        publish(d, "s1", "a1");
        publish(d, "s1", "a2");
        d.step(0);
        producer.completeNext();
        d.step(0);

        d.spoolRemaining();

        assertThat(journalLines()).isEmpty();
        assertEquals(List.of("a2"), spoolLines(), "the unacknowledged one waits in the spool");
    }

    @Test
    void whenTheJournalCannotBeWrittenAnEventWaitsForKafka() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        Path journalDir = spoolDir().resolve(EventJournal.DIR);
        Files.delete(journalDir);
        Files.writeString(journalDir, "not a directory"); // every append fails

        publish(d, "s1", "a");
        d.step(0);
        assertThat(heard).as("not recorded before Kafka answers").isEmpty();
        ackAll(producer);
        d.step(0);
        assertEquals(Map.of("a", List.of(true)), heard);
    }

    // ---- journaled by the caller (portcullis.events.journal-inline) --------------------------------------------

    private EventDelivery.Event event(String key, String value) {
        return new EventDelivery.Event(
                TOPIC,
                key,
                () -> value,
                null,
                ok -> heard.computeIfAbsent(value, v -> new ArrayList<>()).add(ok));
    }

    @Test
    void aCallerJournalsItsEventAndHearsAtOnceThenThePublisherSendsItAndTheAckReleasesIt() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);

        assertThat(d.recordNow(event("s1", "a"), "a")).isTrue();
        assertThat(d.recordNow(event("s1", "b"), "b")).isTrue();
        // before any publisher round: recorded, because the journal on disk holds them
        assertEquals(Map.of("a", List.of(true), "b", List.of(true)), heard);
        assertEquals(List.of("a", "b"), journalLines());
        assertThat(producer.history()).isEmpty();

        d.step(0);
        assertEquals(
                List.of("a", "b"),
                producer.history().stream().map(ProducerRecord::value).toList());
        ackAll(producer);
        d.step(0);
        assertEquals(Map.of("a", List.of(true), "b", List.of(true)), heard, "told once, not again at the ack");
        assertEquals(0, d.journalPending());
        assertEquals(2, d.stats().published());
    }

    @Test
    void whileKafkaIsStalledACallerDoesNotJournalAndItsEventWaitsForTheSpool() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        assertThat(d.recordNow(event("s1", "a1"), "a1")).isTrue();
        d.step(0);
        clock.addAndGet(STALL.plusMillis(1).toNanos());
        d.step(0); // stalled: a1 goes to the spool

        assertThat(d.recordNow(event("s1", "a2"), "a2")).as("not while stalled").isFalse();
        assertThat(heard).doesNotContainKey("a2");
        d.step(0);
        assertEquals(List.of("a1", "a2"), spoolLines(), "in order, through the publisher");
        assertEquals(List.of(true), heard.get("a2"), "recorded once spooled");
        assertEquals(0, d.journalPending());
    }

    @Test
    void callersJournalNoMoreThanTheBudgetAheadOfKafka() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 1 << 16, 1 << 20, 1000, 8 << 20);
        String big = "x".repeat(600);
        assertThat(d.recordNow(event("s1", big + 1), big + 1)).isTrue();
        assertThat(d.recordNow(event("s1", big + 2), big + 2))
                .as("a second one would put the journal more than buffer-bytes ahead")
                .isFalse();
        d.step(0); // the first goes to Kafka; the second waits for the ledger's budget (the publisher's path)
        assertThat(heard).doesNotContainKey(big + 2);
        ackAll(producer);
        d.step(0); // the first is acknowledged: the second is sent, journaled by the publisher, recorded
        assertEquals(List.of(true), heard.get(big + 2));
        ackAll(producer);
        d.step(0);
        assertEquals(0, d.journalPending());
        assertThat(d.recordNow(event("s1", big + 3), big + 3))
                .as("room again once Kafka has them")
                .isTrue();
    }

    @ParameterizedTest(name = "lazy {0}")
    @ValueSource(booleans = {false, true})
    void anEventItsCallerJournaledIsNeverGivenUpWhenMemoryIsFull(boolean lazy) throws Exception {
        MockProducer<String, String> producer = producer();
        // memory for about one event: the second would be given up if it had not been recorded already (a lazy one
        // is recorded at the next flush)
        EventDelivery d = delivery(producer, 1 << 16, 1 << 20, 1 << 20, 900);
        String big = "y".repeat(500);
        for (int i = 1; i <= 2; i++) {
            EventDelivery.Event e = event("s1", big + i);
            e.lazy = lazy;
            assertThat(d.recordNow(e, big + i)).isTrue();
        }
        d.step(0);
        assertEquals(0, d.stats().lost(), "nothing recorded is lost");
        assertEquals(Map.of(big + 1, List.of(true), big + 2, List.of(true)), heard);
        assertEquals(
                List.of(big + 1, big + 2),
                producer.history().stream().map(ProducerRecord::value).toList());
        ackAll(producer);
        d.step(0);
        assertEquals(0, d.journalPending());
    }

    // ---- lazily journaled: outcomes nobody waits for ride on the next flush ---------------------------------------

    private EventDelivery.Event lazyEvent(String key, String value) {
        EventDelivery.Event e = event(key, value);
        e.lazy = true;
        return e;
    }

    @Test
    void aLazyEventIsRecordedByTheNextWriteAheadFlushAndToldBeforeIt() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        List<String> order = new ArrayList<>();
        EventDelivery.Event outTold = new EventDelivery.Event(TOPIC, "s1", () -> "out1", null, ok -> order.add("out1"));
        outTold.lazy = true;

        assertThat(d.recordNow(outTold, "out1")).isTrue();
        assertThat(order).as("appended, not flushed: not recorded yet").isEmpty();
        assertThat(journalLines()).as("still in the writer's buffer").isEmpty();

        EventDelivery.Event req = new EventDelivery.Event(TOPIC, "s1", () -> "req2", null, ok -> order.add("req2"));
        assertThat(d.recordNow(req, "req2")).isTrue();
        assertEquals(List.of("out1", "req2"), order, "the request's flush records the outcome too, told first");
        assertEquals(List.of("out1", "req2"), journalLines());

        d.step(0);
        assertEquals(
                List.of("out1", "req2"),
                producer.history().stream().map(ProducerRecord::value).toList(),
                "sent in the order they were emitted");
        ackAll(producer);
        d.step(0);
        assertEquals(List.of("out1", "req2"), order, "told once each, not again at the acknowledgement");
        assertEquals(0, d.journalPending());
    }

    @Test
    void thePublishersRoundRecordsALazyEventNoWriteAheadEventFollows() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        assertThat(d.recordNow(lazyEvent("s1", "last-output"), "last-output")).isTrue();
        assertThat(heard).doesNotContainKey("last-output");

        d.step(0);
        assertEquals(List.of(true), heard.get("last-output"), "the round's journal flush records it");
        assertEquals(List.of("last-output"), journalLines());
        ackAll(producer);
        d.step(0);
        assertEquals(List.of(true), heard.get("last-output"), "told once");
        assertEquals(0, d.journalPending());
    }

    @Test
    void kafkasAcknowledgementBeforeAnyFlushRecordsALazyEventOnce() throws Exception {
        MockProducer<String, String> producer = producer();
        EventDelivery d = delivery(producer, 4096, 1 << 20);
        assertThat(d.recordNow(lazyEvent("s1", "o"), "o")).isTrue();
        d.step(0); // sent (and flushed by the round)
        ackAll(producer);
        d.step(0);
        assertThat(d.recordNow(event("s1", "r"), "r")).isTrue();
        assertEquals(Map.of("o", List.of(true), "r", List.of(true)), heard, "each told exactly once");
    }
}
