package dev.portcullis.recorder.events;

import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.recorder.bench.RecordingSizeBenchmark;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import javax.crypto.Mac;

/**
 * CPU and allocation per event of the recorder's session-event reader, the streaming one against the tree reader it
 * replaced ({@link TreeSessionEventParser}), in one JVM on the same events: v2 events as session-proxy writes them
 * (RecordingSizeBenchmark's {@code pgbench -S} and varied-reads workloads: a request with its decision, an output;
 * tagged). A measurement, not a test (README "Lag"). Best of {@code rounds} after as many warm-up rounds:
 *
 * <pre>java -cp recorder-service/target/test-classes:recorder-service/target/classes:$(cat /tmp/cp.txt) \
 *     dev.portcullis.recorder.events.SessionEventParserBenchmark [events per round] [rounds]</pre>
 */
public final class SessionEventParserBenchmark {

    private SessionEventParserBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        SessionEventParser streaming = new SessionEventParser(1 << 20);
        TreeSessionEventParser tree = new TreeSessionEventParser(1 << 20);
        for (RecordingSizeBenchmark.Workload w :
                List.of(RecordingSizeBenchmark.PGBENCH_S, RecordingSizeBenchmark.VARIED)) {
            List<byte[]> events = events(w, n);
            long bytes = events.stream().mapToLong(e -> e.length).sum();
            for (String which : List.of("tree (before)", "streaming")) {
                double bestNs = Double.MAX_VALUE;
                double bestAlloc = Double.MAX_VALUE;
                long sink = 0;
                for (int round = 0; round < 2 * rounds; round++) {
                    long a0 = allocated();
                    long t0 = System.nanoTime();
                    for (byte[] e : events) {
                        sink += which.startsWith("tree")
                                ? tree.parse(e).event().seq()
                                : streaming.parse(e).event().seq();
                    }
                    long ns = System.nanoTime() - t0;
                    long alloc = allocated() - a0;
                    if (round >= rounds) { // the first half warms the JIT
                        bestNs = Math.min(bestNs, (double) ns / events.size());
                        bestAlloc = Math.min(bestAlloc, (double) alloc / events.size());
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "PARSE %-22s %-14s %,d events of %,d bytes on average: %.2f us/event, %,.0f bytes "
                                + "allocated/event (checksum %d)%n",
                        w.name(),
                        which,
                        events.size(),
                        bytes / events.size(),
                        bestNs / 1000,
                        bestAlloc,
                        sink);
            }
        }
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** A session of n/2 statements of {@code w}, tagged as the proxy tags them. */
    static List<byte[]> events(RecordingSizeBenchmark.Workload w, int n) {
        Random random = new Random(42);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String keyId = EventAuth.keyId(secret);
        String session = new UUID(random.nextLong(), random.nextLong()).toString();
        Mac mac = EventAuth.sessionMac(EventAuth.sessionKey(secret, session));
        Instant t = Instant.parse("2026-12-05T09:00:00Z");
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; out.size() < n; i++) {
            String[] s = w.statement(i, random);
            long seq = 2L * i;
            t = t.plus(200, ChronoUnit.MICROS);
            out.add(RecordingSizeBenchmark.event(
                    session, seq, EventTypes.SESSION_REQUEST, t, s[0] + ",\"decision\":" + s[1] + "}", keyId, mac));
            out.add(RecordingSizeBenchmark.event(
                    session,
                    seq + 1,
                    EventTypes.SESSION_OUTPUT,
                    t.plus(80, ChronoUnit.MICROS),
                    "{\"request_seq\":" + seq + "," + s[2] + "}",
                    keyId,
                    mac));
        }
        return out;
    }
}
