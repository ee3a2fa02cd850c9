package dev.portcullis.recorder.bench;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.bootstrap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.S3Server;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.recorder.storage.RecordingStore;
import dev.portcullis.recorder.support.CpuProbe;
import dev.portcullis.recorder.support.LargeRecording;
import dev.portcullis.recorder.support.MemoryProbe;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.TestKeys;
import dev.portcullis.recorder.support.ThreadProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (surefire does not pick it up by name). Run:
 *
 * <pre>./mvnw -pl recorder-service test -Dtest=RecorderBenchmark[#ingestion|#download] [-Dbench.sessions=200
 *     -Dbench.events=1000 -Dbench.payload=400 -Dbench.download.mb=1024]</pre>
 *
 * Ingestion: the same synthetic events are (a) read back by a plain Kafka consumer (baseline: what
 * the broker delivers on this machine) and (b) sent through the recorder (staged in PostgreSQL,
 * assembled, hash-chained, uploaded to S3Proxy); events/s, MB/s and end-to-end lag, and the ratio.
 * Download: one large recording (1 GiB by default; S3Proxy stores on disk) fetched by curl straight
 * from S3 (baseline) and through the auditor API, with the recorder's heap during the latter.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class RecorderBenchmark {

    @Inject
    RecordingStore store;

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URL base;

    /** Tagged as session-proxy tags it (the recorder refuses untagged session events). */
    static byte[] event(String id, long seq, String type, String pad) {
        return TestKeys.tag("{\"specversion\":\"1.0\",\"type\":\"" + type + "\",\"time\":\"" + Instant.now()
                        + "\",\"data\":{\"session_id\":\""
                        + id + "\",\"seq\":" + seq
                        + ",\"agent\":\"bench\",\"connection\":\"pg-dev\",\"protocol\":\"postgres\","
                        + "\"text\":\"SELECT * FROM t WHERE id = " + seq + " /*" + pad + "*/\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Two rounds of the same shape: the first runs on a cold JVM (the JIT compilers then take as
     * much CPU as the recorder), the second on a warm one. Each round has its own baseline.
     */
    @Test
    void ingestion() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 2);
        for (int round = 1; round <= rounds; round++) {
            ingestionRound(round == 1 ? "cold JVM" : "warm JVM");
        }
    }

    void ingestionRound(String label) throws Exception {
        int sessions = Integer.getInteger("bench.sessions", 200);
        int perSession = Integer.getInteger("bench.events", 1000);
        String pad = "x".repeat(Integer.getInteger("bench.payload", 400));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            ids.add("bench-" + run + "-" + s);
        }
        long total = (long) sessions * perSession;
        String baselineTopic = "bench-baseline-" + run;

        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        pp.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        long bytes = 0;
        // baseline: the same events into their own topic, read back by a bare consumer
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp)) {
            for (int seq = 0; seq < perSession; seq++) {
                for (String id : ids) {
                    byte[] v = event(
                            id,
                            seq,
                            seq == 0
                                    ? EventTypes.SESSION_STARTED
                                    : seq == perSession - 1 ? EventTypes.SESSION_ENDED : EventTypes.SESSION_REQUEST,
                            pad);
                    bytes += v.length;
                    producer.send(new ProducerRecord<>(baselineTopic, id, v));
                }
            }
        }
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + run);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        long consumed = 0;
        long b0 = System.nanoTime();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp)) {
            c.subscribe(List.of(baselineTopic));
            while (consumed < total) {
                consumed += c.poll(Duration.ofMillis(500)).count();
            }
        }
        double baselineSeconds = (System.nanoTime() - b0) / 1e9;

        // through the recorder
        DevStack stack = SharedDevStack.ensure(Component.POSTGRES, Component.KAFKA);
        Map<String, Long> processes = new LinkedHashMap<>();
        processes.put("recorder JVM (and the producer)", ProcessHandle.current().pid());
        processes.put("postgres", stack.postgres().postmasterPid());
        processes.put("kafka", stack.kafka().pid());
        processes.put("s3proxy", RecorderDevStack.s3Pid());
        CpuProbe cpu = CpuProbe.start(processes);
        ThreadProbe recorderThreads = ThreadProbe.start(ThreadProbe.RECORDER_THREADS);
        long r0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp)) {
            for (int seq = 0; seq < perSession; seq++) {
                for (String id : ids) {
                    producer.send(new ProducerRecord<>(
                            Topics.SESSION_EVENTS,
                            id,
                            event(
                                    id,
                                    seq,
                                    seq == 0
                                            ? EventTypes.SESSION_STARTED
                                            : seq == perSession - 1
                                                    ? EventTypes.SESSION_ENDED
                                                    : EventTypes.SESSION_REQUEST,
                                    pad)));
                }
            }
        }
        double sentSeconds = (System.nanoTime() - r0) / 1e9;
        OffsetDateTime sentAt = OffsetDateTime.now(ZoneOffset.UTC);
        long done = 0;
        while (done < sessions) {
            Thread.sleep(200);
            done = pool.preparedQuery(
                            "SELECT count(*) FROM recorded_session WHERE session_id LIKE $1 AND status = 'complete'")
                    .execute(Tuple.of("bench-" + run + "-%"))
                    .await()
                    .indefinitely()
                    .iterator()
                    .next()
                    .getLong(0);
            assertThat((System.nanoTime() - r0) / 1e9)
                    .as("recorder did not finish")
                    .isLessThan(1800);
        }
        double recorderSeconds = (System.nanoTime() - r0) / 1e9;
        String cpuUse = cpu.report(recorderSeconds);
        long threadCpu = recorderThreads.cpuNanos();
        long threadAlloc = recorderThreads.allocatedBytes();
        var lag = pool.preparedQuery("""
                SELECT extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY finalized_at - $2)),
                       extract(epoch FROM max(finalized_at) - $2), sum(size_bytes)
                FROM recorded_session WHERE session_id LIKE $1""")
                .execute(Tuple.of("bench-" + run + "-%", sentAt))
                .await()
                .indefinitely()
                .iterator()
                .next();
        double mb = bytes / 1e6;
        System.out.printf(
                "%nBENCH ingestion (%s): %d sessions x %d events = %d events, %.1f MB of event JSON%n",
                label, sessions, perSession, total, mb);
        System.out.printf(
                "BENCH baseline  (bare Kafka consumer): %.1f s  %.0f events/s  %.1f MB/s%n",
                baselineSeconds, total / baselineSeconds, mb / baselineSeconds);
        System.out.printf(
                "BENCH recorder  (Kafka -> PG staging -> chained JSONL -> S3, all sessions complete): %.1f s  %.0f events/s  %.1f MB/s  (producer done after %.1f s)%n",
                recorderSeconds, total / recorderSeconds, mb / recorderSeconds, sentSeconds);
        System.out.printf(
                "BENCH ratio recorder/baseline: %.2f; lag after the last send: median session %.1f s, last session %.1f s; stored %.1f MB%n",
                baselineSeconds / recorderSeconds, lag.getDouble(0), lag.getDouble(1), lag.getLong(2) / 1e6);
        System.out.printf(
                "BENCH CPU while the recorder ingested: %s; load average %.1f%n",
                cpuUse, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(
                "BENCH recorder threads (event loops, Kafka consumers, finalizers; JIT and GC not included): "
                        + "%.1f µs CPU and %.1f KB allocated per event%n",
                threadCpu / 1e3 / total, threadAlloc / 1024.0 / total);

        var keys = pool.preparedQuery("SELECT object_key FROM recorded_session WHERE session_id LIKE $1")
                .execute(Tuple.of("bench-" + run + "-%"))
                .await()
                .indefinitely();
        for (var row : keys) {
            store.delete(row.getString(0));
        }
    }

    /**
     * One large recording fetched by curl (out of process, so this JVM holds only the recorder)
     * straight from S3Proxy (baseline) and through the auditor API, while the recorder's heap is
     * sampled and its serving threads' allocations counted.
     */
    @Test
    void download() throws Exception {
        int megabytes = Integer.getInteger("bench.download.mb", 1024);
        long size = (long) megabytes << 20;
        var c = ConfigProvider.getConfig();
        String endpoint = c.getValue("portcullis.s3.endpoint", String.class);
        try (LargeRecording rec = LargeRecording.store(store, pool, size)) {
            // warm-up: the first download of the JVM loads classes
            curl(
                    base + "v1/sessions/" + rec.sessionId() + "/recording",
                    "header = \"Range: bytes=0-9\"",
                    "header = \"Authorization: Bearer " + auditorToken() + "\"");

            Curl s3 = curl(
                    endpoint + "/" + DevStack.RECORDINGS_BUCKET + "/" + rec.key(),
                    "user = \"" + c.getValue("portcullis.s3.access-key", String.class) + ":"
                            + c.getValue("portcullis.s3.secret-key", String.class) + "\"",
                    "aws-sigv4 = \"aws:amz:" + S3Server.REGION + ":s3\"",
                    "header = \"x-amz-content-sha256: UNSIGNED-PAYLOAD\"");
            assertThat(s3.status()).as("S3 GET").isEqualTo(200);
            assertThat(s3.bytes()).isEqualTo(size);

            MemoryProbe before = MemoryProbe.afterGc();
            HeapWatch heap = HeapWatch.start();
            ThreadProbe allocated = ThreadProbe.start(ThreadProbe.SERVER_THREADS);
            Curl api = curl(
                    base + "v1/sessions/" + rec.sessionId() + "/recording",
                    "header = \"Authorization: Bearer " + auditorToken() + "\"");
            long garbage = allocated.allocatedBytes();
            long peak = heap.stop();
            MemoryProbe after = MemoryProbe.afterGc().minus(before);
            assertThat(api.status()).as("API GET").isEqualTo(200);
            assertThat(api.bytes()).isEqualTo(size);
            double mb = size / 1e6;
            System.out.printf(
                    "BENCH download %d MiB, curl to /dev/null: baseline S3 GET %.1f s %.1f MB/s; auditor API %.1f s %.1f MB/s; ratio %.2f%n",
                    megabytes,
                    s3.seconds(),
                    mb / s3.seconds(),
                    api.seconds(),
                    mb / api.seconds(),
                    s3.seconds() / api.seconds());
            System.out.printf(
                    "BENCH download recorder JVM during the API download: heap peak +%d MB (sampled every 20 ms, garbage included), "
                            + "allocated by serving threads %d MB, retained after GC %s%n",
                    peak >> 20, garbage >> 20, after);
        }
    }

    record Curl(int status, long bytes, double seconds) {}

    /** GET with curl to /dev/null; secrets go in a config file (mode 600), not on the command line. */
    static Curl curl(String url, String... config) throws Exception {
        Path cfg = Files.createTempFile(
                "bench-curl",
                ".cfg",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(cfg, String.join("\n", config) + "\n");
            Process p = new ProcessBuilder(
                            "curl",
                            "-sS",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code} %{size_download} %{time_total}",
                            "-K",
                            cfg.toString(),
                            url)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor()).as("curl: " + out).isZero();
            String[] f = out.split(" ");
            return new Curl(Integer.parseInt(f[0]), Long.parseLong(f[1]), Double.parseDouble(f[2]));
        } finally {
            Files.delete(cfg);
        }
    }
    /** Samples used heap every 20 ms; reports the peak above the level at start. */
    static final class HeapWatch {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong peak = new AtomicLong();
        long before;
        Thread thread;

        static HeapWatch start() {
            HeapWatch w = new HeapWatch();
            System.gc();
            w.before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            w.thread = Thread.ofPlatform().daemon().start(() -> {
                while (w.running.get()) {
                    w.peak.accumulateAndGet(
                            ManagementFactory.getMemoryMXBean()
                                    .getHeapMemoryUsage()
                                    .getUsed(),
                            Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            return w;
        }

        long stop() throws InterruptedException {
            running.set(false);
            thread.join();
            return Math.max(0, peak.get() - before);
        }
    }
}
