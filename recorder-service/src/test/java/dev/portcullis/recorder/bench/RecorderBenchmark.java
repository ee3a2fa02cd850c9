package dev.portcullis.recorder.bench;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.bootstrap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.S3Server;
import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.recorder.events.Topics;
import dev.portcullis.recorder.storage.RecordingKeys;
import dev.portcullis.recorder.storage.RecordingStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
 * <pre>./mvnw -pl recorder-service test -Dtest=RecorderBenchmark [-Dbench.sessions=200 -Dbench.events=1000
 *     -Dbench.payload=400 -Dbench.download.mb=64]</pre>
 *
 * Ingestion: the same synthetic events are (a) read back by a plain Kafka consumer (baseline: what
 * the broker delivers on this machine) and (b) sent through the recorder (staged in PostgreSQL,
 * assembled, hash-chained, uploaded to S3Proxy); events/s, MB/s and end-to-end lag, and the ratio.
 * Download: one large recording fetched straight from S3 (baseline) and through the auditor API,
 * with the JVM's peak heap growth during each.
 */
@QuarkusTest
@QuarkusTestResource(value = DevStackTestResource.class, initArgs = {
        @ResourceArg(name = "components", value = "postgres,kafka,keycloak,s3"),
        @ResourceArg(name = "database", value = "recorder") })
class RecorderBenchmark {

    @Inject
    RecordingStore store;

    @Inject
    Pool pool;

    @TestHTTPResource("/")
    URL base;

    static byte[] event(String id, long seq, String type, String pad) {
        return ("{\"specversion\":\"1.0\",\"type\":\"" + type + "\",\"time\":\"" + Instant.now() + "\",\"data\":{\"session_id\":\""
                + id + "\",\"seq\":" + seq + ",\"agent\":\"bench\",\"connection\":\"pg-dev\",\"protocol\":\"postgres\","
                + "\"text\":\"SELECT * FROM t WHERE id = " + seq + " /*" + pad + "*/\"}}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ingestionAndDownload() throws Exception {
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
                    byte[] v = event(id, seq, seq == 0 ? "session.started" : seq == perSession - 1 ? "session.ended" : "session.request", pad);
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
        long r0 = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp)) {
            for (int seq = 0; seq < perSession; seq++) {
                for (String id : ids) {
                    producer.send(new ProducerRecord<>(Topics.SESSION_EVENTS, id,
                            event(id, seq, seq == 0 ? "session.started" : seq == perSession - 1 ? "session.ended" : "session.request", pad)));
                }
            }
        }
        double sentSeconds = (System.nanoTime() - r0) / 1e9;
        OffsetDateTime sentAt = OffsetDateTime.now(ZoneOffset.UTC);
        long done = 0;
        while (done < sessions) {
            Thread.sleep(200);
            done = pool.preparedQuery("SELECT count(*) FROM recorded_session WHERE session_id LIKE $1 AND status = 'complete'")
                    .execute(Tuple.of("bench-" + run + "-%")).await().indefinitely().iterator().next().getLong(0);
            assertThat((System.nanoTime() - r0) / 1e9).as("recorder did not finish").isLessThan(1800);
        }
        double recorderSeconds = (System.nanoTime() - r0) / 1e9;
        var lag = pool.preparedQuery("""
                SELECT extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY finalized_at - $2)),
                       extract(epoch FROM max(finalized_at) - $2), sum(size_bytes)
                FROM recorded_session WHERE session_id LIKE $1""")
                .execute(Tuple.of("bench-" + run + "-%", sentAt)).await().indefinitely().iterator().next();
        double mb = bytes / 1e6;
        System.out.printf("%nBENCH ingestion: %d sessions x %d events = %d events, %.1f MB of event JSON%n", sessions, perSession, total, mb);
        System.out.printf("BENCH baseline  (bare Kafka consumer): %.1f s  %.0f events/s  %.1f MB/s%n", baselineSeconds,
                total / baselineSeconds, mb / baselineSeconds);
        System.out.printf("BENCH recorder  (Kafka -> PG staging -> chained JSONL -> S3, all sessions complete): %.1f s  %.0f events/s  %.1f MB/s  (producer done after %.1f s)%n",
                recorderSeconds, total / recorderSeconds, mb / recorderSeconds, sentSeconds);
        System.out.printf("BENCH ratio recorder/baseline: %.2f; lag after the last send: median session %.1f s, last session %.1f s; stored %.1f MB%n",
                baselineSeconds / recorderSeconds, lag.getDouble(0), lag.getDouble(1), lag.getLong(2) / 1e6);

        // S3Proxy in dev-stack keeps objects in its (256 MB) heap: free the benchmark's recordings first
        var keys = pool.preparedQuery("SELECT object_key FROM recorded_session WHERE session_id LIKE $1")
                .execute(Tuple.of("bench-" + run + "-%")).await().indefinitely();
        for (var row : keys) {
            store.delete(row.getString(0));
        }
        download(Integer.getInteger("bench.download.mb", 64));
    }

    void download(int megabytes) throws Exception {
        String id = "bench-download-" + UUID.randomUUID();
        Path file = Files.createTempFile("bench-download", ".jsonl");
        long size = (long) megabytes * 1024 * 1024;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            byte[] line = ("{\"seq\":0,\"event\":{\"text\":\"" + "y".repeat(1000) + "\"}}\n").getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written < size; written += line.length) {
                out.write(line, 0, (int) Math.min(line.length, size - written));
            }
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Instant start = Instant.now();
        String key = RecordingKeys.key(start, id, RecordingKeys.EVENTS_EXT);
        store.put(key, file, size, hex, "application/x-ndjson");
        Files.delete(file);
        pool.preparedQuery("""
                INSERT INTO recorded_session (session_id, agent, connection, protocol, started_at, ended_at, status, ended,
                    object_key, size_bytes, sha256, finalized_at) VALUES ($1, 'bench', 'pg-dev', 'postgres', $2, $2, 'complete',
                    true, $3, $4, $5, now())""")
                .execute(Tuple.of(id, start.atOffset(ZoneOffset.UTC), key, size, hex)).await().indefinitely();

        var c = ConfigProvider.getConfig();
        double baseline;
        long baselineHeap;
        try (var s3 = S3Server.client(c.getValue("portcullis.s3.endpoint", String.class),
                c.getValue("portcullis.s3.access-key", String.class), c.getValue("portcullis.s3.secret-key", String.class))) {
            HeapWatch heap = HeapWatch.start();
            long t0 = System.nanoTime();
            try (InputStream in = s3.getObject(g -> g.bucket(DevStack.RECORDINGS_BUCKET).key(key))) {
                assertThat(in.transferTo(OutputStream.nullOutputStream())).isEqualTo(size);
            }
            baseline = (System.nanoTime() - t0) / 1e9;
            baselineHeap = heap.stop();
        }
        HttpClient http = HttpClient.newHttpClient();
        HeapWatch heap = HeapWatch.start();
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "v1/sessions/" + id + "/recording"))
                .header("Authorization", "Bearer " + auditorToken()).build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        try (InputStream in = r.body(); OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), got)) {
            assertThat(in.transferTo(out)).isEqualTo(size);
        }
        double api = (System.nanoTime() - t0) / 1e9;
        long apiHeap = heap.stop();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(hex);
        double mb = size / 1e6;
        System.out.printf("BENCH download %d MiB: baseline S3 GET %.1f s %.1f MB/s (heap peak +%d MB); auditor API %.1f s %.1f MB/s (heap peak +%d MB, Content-Length %s); ratio %.2f%n",
                megabytes, baseline, mb / baseline, baselineHeap >> 20, api, mb / api, apiHeap >> 20,
                r.headers().firstValue("content-length").orElse("-"), baseline / api);
        store.delete(key);
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
                    w.peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
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
