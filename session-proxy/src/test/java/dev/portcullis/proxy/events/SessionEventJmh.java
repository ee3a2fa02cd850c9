package dev.portcullis.proxy.events;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.pg.PgbenchFixtures;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Recording one {@code pgbench -M prepared} statement, piece by piece (README "JMH: per-statement hot paths"; run with
 * {@code bench/jmh.sh}): its v2 {@code session.request} (the recorded Bind with its decision) written to JSON, tagged,
 * and appended to the write-ahead journal as {@code EventDelivery.recordNow} does on the session's event loop. Each
 * operation takes the next of {@value #N} statements, each with its own aid and seq.
 *
 * <p>Named {@code *Jmh}: surefire never runs it; {@code verify} compiles it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SessionEventJmh {

    static final int N = 1024;

    private static final String SESSION_ID = "3f2e1d0c-9b8a-4765-8432-10fedcba9876";
    private static final String AGENT = "demo-agent";
    private static final String CONNECTION = "pg-demo";
    /** A session's W3C trace context, as every journal line of a traced session carries it. */
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private int next;
    private long seq;
    private final JsonObject[] data = new JsonObject[N];
    private final String[] untagged = new String[N];
    private final String[] tagged = new String[N];
    private SessionEnvelope envelope;
    private SessionEventAuth.Session auth;
    private Path dir;
    private EventJournal journal;

    @Setup
    public void setUp() throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        auth = SessionEventAuth.of(secret).forSession(SESSION_ID);
        envelope = new SessionEnvelope(SESSION_ID, AGENT, CONNECTION);
        int[] aids = new int[N];
        for (int i = 0; i < N; i++) {
            aids[i] = PgbenchFixtures.aid(i);
        }
        List<JsonObject> recorded = PgbenchFixtures.recordedBinds(aids);
        for (int i = 0; i < N; i++) {
            data[i] = recorded.get(i);
            untagged[i] = envelope.encode(event(i, data[i]));
            tagged[i] = EventAuth.append(untagged[i], auth.tagOf(untagged[i]));
        }
        // the journal's default segment size (portcullis.events.spool-segment-bytes): rotation is part of appending
        dir = Files.createTempDirectory("portcullis-jmh-journal");
        journal = new EventJournal(dir, 8_388_608);
    }

    @TearDown
    public void tearDown() throws IOException {
        journal.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (N - 1);
        return i;
    }

    private CloudEvent<JsonObject> event(long s, JsonObject d) {
        return EventPublisher.sessionEvent(EventTypes.SESSION_REQUEST, SESSION_ID, s, AGENT, CONNECTION, d)
                .withDataschema(CloudEvent.DATASCHEMA_SESSION_V2);
    }

    /** The event's data to JSON alone ({@code Json.encode}, Vert.x's streaming Jackson codec). */
    @Benchmark
    public String event1JsonData() {
        return Json.encode(data[nextIndex()]);
    }

    /**
     * The whole event to JSON as {@code SessionRecorder.emit} writes it: the CloudEvent (its time now), the data
     * ({@code Json.encode}) and the session's envelope ({@code SessionEnvelope.encode}).
     */
    @Benchmark
    public String event2Envelope() {
        return envelope.encode(event(seq++, data[nextIndex()]));
    }

    /**
     * Its {@code authtag}: HMAC-SHA256 over the event's UTF-8 bytes with the session's key ({@code
     * SessionEventAuth.Session.tagOf}, contracts' {@code EventAuth.tag}), appended to the JSON ({@code
     * EventAuth.append}).
     */
    @Benchmark
    public String event3AuthTag() {
        String json = untagged[nextIndex()];
        return EventAuth.append(json, auth.tagOf(json));
    }

    /**
     * Its write-ahead journal line ({@code EventSpool.Line.encode}: topic, key, traceparent, the tagged JSON) appended
     * and handed to the operating system ({@code EventJournal.append}, {@code flush}: one {@code write}), then
     * released as Kafka's acknowledgement releases it (so a full segment is deleted, not kept).
     */
    @Benchmark
    public long event4JournalAppend() throws IOException {
        String line = new EventSpool.Line(Topics.SESSION_EVENTS, SESSION_ID, tagged[nextIndex()], TRACEPARENT).encode();
        EventJournal.Segment segment;
        synchronized (journal) {
            segment = journal.append(line);
            journal.flush();
        }
        journal.release(segment);
        return line.length();
    }
}
