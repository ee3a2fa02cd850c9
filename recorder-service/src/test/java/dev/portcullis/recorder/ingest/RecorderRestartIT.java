package dev.portcullis.recorder.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.contracts.recording.StoredEncoding;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.recording.RecordingVerifier;
import dev.portcullis.recorder.support.TestKeys;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the packaged recorder as a child process against real PostgreSQL and Kafka, kills it
 * (SIGKILL) in the middle of a session while it is ingesting, starts it again, and checks that the
 * recording is complete with every seq exactly once. Filesystem storage (the embedded default).
 */
class RecorderRestartIT {

    static final String DATABASE = "recorder_restart_it";
    static DevStack stack;
    static Map<String, String> client;
    static Path recordings;
    static Process recorder;

    @BeforeAll
    static void stack() throws Exception {
        stack = SharedDevStack.ensure(Component.POSTGRES, Component.KAFKA);
        stack.postgres().createDatabase(DATABASE);
        client = stack.clientConfig(DATABASE);
        recordings = Files.createTempDirectory(Path.of("target"), "restart-it-recordings");
    }

    @AfterAll
    static void stop() {
        if (recorder != null) {
            recorder.destroyForcibly();
        }
    }

    static Process start(int port, String log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-jar", "target/quarkus-app/quarkus-run.jar");
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_USERNAME", client.get("quarkus.datasource.username"));
        env.put("QUARKUS_DATASOURCE_PASSWORD", client.get("quarkus.datasource.password"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", client.get("quarkus.datasource.jdbc.url"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", client.get("quarkus.datasource.reactive.url"));
        env.put("KAFKA_BOOTSTRAP_SERVERS", client.get("kafka.bootstrap.servers"));
        env.put("PORTCULLIS_RECORDINGS_DIR", recordings.toAbsolutePath().toString());
        TestKeys.config()
                .forEach((k, v) ->
                        env.put(k.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        env.put("PORTCULLIS_INGEST_SWEEP_INTERVAL", "1s");
        env.put("PORTCULLIS_INGEST_GAP_HOLD", "PT120S"); // never give up on the gap the kill leaves
        // no Keycloak in this test: the auditor API is not used, only ingestion
        env.put("QUARKUS_OIDC_TENANT_ENABLED", "false");
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", log).toFile());
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("recorder exited with " + p.exitValue() + ", see target/" + log);
            }
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        p.destroyForcibly();
        throw new AssertionError("recorder not ready, see target/" + log);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Connection db() throws SQLException {
        return DriverManager.getConnection(
                client.get("quarkus.datasource.jdbc.url"),
                client.get("quarkus.datasource.username"),
                client.get("quarkus.datasource.password"));
    }

    static Map<String, Object> session(String id) throws SQLException {
        try (Connection c = db();
                var ps = c.prepareStatement(
                        "SELECT status, buffered, event_count, object_key, sha256, chain_head FROM recorded_session WHERE session_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Map.of();
                }
                Map<String, Object> m = new HashMap<>();
                for (String col : List.of("status", "buffered", "event_count", "object_key", "sha256", "chain_head")) {
                    m.put(col, rs.getObject(col));
                }
                return m;
            }
        }
    }

    static String event(String id, long seq, String type, Instant t) {
        return """
                {"specversion":"1.0","id":"%s-%d","source":"/session-proxy","type":"%s","time":"%s",
                 "data":{"session_id":"%s","seq":%d,"time":"%s","agent":"restart-bot","connection":"pg-prod","protocol":"postgres",
                         "text":"UPDATE accounts SET touched = now() WHERE id = %d"}}""".formatted(id, seq, type, t, id, seq, t, seq).replace("\n", "");
    }

    @Test
    void killedRecorderResumesWithoutLossOrDuplicates() throws Exception {
        int events = 3000;
        String id = "restart-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, client.get("kafka.bootstrap.servers"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");

        int port = freePort();
        recorder = start(port, "restart-it-first.log");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int seq = 0; seq < events / 2; seq++) {
                String type = seq == 0 ? EventTypes.SESSION_STARTED : EventTypes.SESSION_REQUEST;
                producer.send(new ProducerRecord<>(
                        Topics.SESSION_EVENTS, id, TestKeys.tag(event(id, seq, type, t0.plusMillis(seq)))));
            }
            producer.flush();
            // kill as soon as the first instance has staged part of the session
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (((Number) session(id).getOrDefault("buffered", 0L)).longValue() < 100) {
                assertThat(System.nanoTime())
                        .as("first instance staged nothing")
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
            recorder.destroyForcibly().waitFor();
            long stagedBeforeKill = ((Number) session(id).get("buffered")).longValue();
            System.out.printf("recorder killed with %d of %d events staged%n", stagedBeforeKill, events);

            for (int seq = events / 2; seq < events; seq++) {
                String type = seq == events - 1 ? EventTypes.SESSION_ENDED : EventTypes.SESSION_REQUEST;
                producer.send(new ProducerRecord<>(
                        Topics.SESSION_EVENTS, id, TestKeys.tag(event(id, seq, type, t0.plusMillis(seq)))));
            }
            producer.flush();
        }
        recorder = start(port, "restart-it-second.log");
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Map<String, Object> s = session(id);
        while (!"complete".equals(s.get("status")) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            s = session(id);
        }
        assertThat(s.get("status")).isEqualTo("complete");
        assertThat(((Number) s.get("event_count")).longValue()).isEqualTo(events);

        Path file = recordings.resolve((String) s.get("object_key"));
        try (InputStream in = Files.newInputStream(file)) {
            RecordingCheck.Result v = RecordingVerifier.verify(
                    in, TestKeys.trusted(), new RecordingVerifier.Expected(id, (String) s.get("sha256"), (String)
                            s.get("chain_head")));
            assertThat(v.problems()).isEmpty();
            assertThat(v.events()).isEqualTo(events);
        }
        // stored gzip-compressed (docs/architecture.md "Recordings"): the lines as every verifier reads them
        assertThat(file.getFileName().toString()).endsWith(".jsonl.gz");
        List<String> lines;
        try (InputStream in = StoredEncoding.decoded(Files.newInputStream(file))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        List<Long> seqs = new ArrayList<>();
        for (String line : lines) {
            JsonNode n = JsonSupport.MAPPER.readTree(line);
            if (n.has("seq")) {
                seqs.add(n.get("seq").longValue());
            }
        }
        assertThat(seqs).hasSize(events);
        for (int i = 0; i < events; i++) {
            assertThat(seqs.get(i)).isEqualTo(i);
        }
        var metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        metrics.lines()
                .filter(l -> l.startsWith("recorder_events_total"))
                .forEach(l -> System.out.println("second instance: " + l));
    }
}
