package dev.portcullis.recorder.bench;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.SharedDevStack;
import dev.portcullis.recorder.support.TestKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Recorder lag at the proxy's rate (README "Lag"), a measurement, not a test; run by {@code bench/lag.sh}. Starts
 * PostgreSQL and Kafka from dev-stack, then for each recorder build given (a {@code quarkus-app} directory; the
 * build before a change as the baseline, the current one after it, alternating when there are several rounds) runs
 * the packaged recorder as a child process on its own database and topic, produces {@code events} session events
 * at {@code rate} per second (0: as fast as the producer can, a backlog) shaped as session-proxy writes them (v2
 * {@code session.request} with its decision and statement analysis, then a {@code session.output}, full CloudEvents
 * envelope, tagged), spread over {@code sessions} concurrent sessions that all end at the end of the run, and
 * measures from the last event acknowledged by Kafka until the recorder has it:
 *
 * <ul>
 *   <li>ingested: every event durably staged or in a sealed recording (the count in PostgreSQL), polled every 20 ms;
 *   <li>sealed: every session's recording written, signed and stored ({@code status = complete}).
 * </ul>
 *
 * Also events/s ingested (from the first event sent), and the recorder's CPU seconds. Each recorder is warmed first
 * by {@code -Dlag.warmup} events (100,000; not measured) as the same load, since a proxy's recorder runs warm. Arguments:
 * {@code events rate sessions rounds label=quarkus-app-dir...}; {@code -Dlag.jfr=label} profiles that build's runs
 * with JFR from when it is ready ({@code target/lag-<label>-<round>.jfr}).
 */
public final class LagBenchmark {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private LagBenchmark() {}

    record Build(String label, Path dir) {}

    record Result(
            String label,
            int round,
            long events,
            double sendSeconds,
            double ingestedLag,
            double sealedLag,
            double ingestRate,
            double cpuSeconds) {}

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(args[0]);
        int rate = Integer.parseInt(args[1]);
        int sessions = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        List<Build> builds = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            builds.add(new Build(kv[0], Path.of(kv[1]).toAbsolutePath()));
        }
        DevStack stack = SharedDevStack.ensure(Component.POSTGRES, Component.KAFKA);
        List<Result> results = new ArrayList<>();
        int run = 0;
        for (int round = 1; round <= rounds; round++) {
            for (Build b : builds) {
                run++;
                Result r = measure(stack, b, round, run, events, rate, sessions);
                results.add(r);
                print(r);
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "LAG summary: %,d events, %s, %d sessions, load average now %s%n",
                events,
                rate == 0 ? "backlog (unthrottled)" : String.format(Locale.ROOT, "%,d events/s offered", rate),
                sessions,
                Files.readString(Path.of("/proc/loadavg")).strip());
        results.forEach(LagBenchmark::print);
        System.exit(0);
    }

    static void print(Result r) {
        System.out.printf(
                Locale.ROOT,
                "LAG %-10s round %d: sent %,d in %.1f s (%,.0f/s); ingested %,.0f events/s; lag after the last "
                        + "event: ingested %.2f s, sealed %.2f s; recorder CPU %.1f s (%.1f µs/event)%n",
                r.label(),
                r.round(),
                r.events(),
                r.sendSeconds(),
                r.events() / r.sendSeconds(),
                r.ingestRate(),
                r.ingestedLag(),
                r.sealedLag(),
                r.cpuSeconds(),
                r.cpuSeconds() * 1e6 / r.events());
    }

    static Result measure(DevStack stack, Build b, int round, int run, long events, int rate, int sessions)
            throws Exception {
        String database = "lag_" + run + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
        String topic = Topics.SESSION_EVENTS + "-lag-" + database;
        stack.postgres().createDatabase(database);
        Map<String, String> client = stack.clientConfig(database);
        stack.kafka().createTopics(List.of(topic), 3);
        Path recordings = Files.createTempDirectory(Path.of("target"), "lag-recordings");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Path.of("target", "lag-" + b.label() + "-" + round + ".log");
        Process recorder = start(b, port, client, topic, recordings, log);
        try {
            if (b.label().equals(System.getProperty("lag.jfr"))) {
                Path jfr = Path.of("target", "lag-" + b.label() + "-" + round + ".jfr")
                        .toAbsolutePath();
                String jcmd =
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
                new ProcessBuilder(
                                jcmd,
                                Long.toString(recorder.pid()),
                                "JFR.start",
                                "name=lag",
                                "settings=profile",
                                "filename=" + jfr)
                        .inheritIO()
                        .start()
                        .waitFor();
            }
            try (Connection db = DriverManager.getConnection(
                    client.get("quarkus.datasource.jdbc.url"),
                    client.get("quarkus.datasource.username"),
                    client.get("quarkus.datasource.password"))) {
                String bootstrap = client.get("kafka.bootstrap.servers");
                // a warm JVM, as the recorder is while a proxy runs: a first load, not measured
                long warmup = Long.getLong("lag.warmup", 100_000);
                if (warmup > 0) {
                    produce(bootstrap, topic, warmup, rate, sessions);
                    await(db, recorder, log, warmup, sessions, System.nanoTime());
                }
                long cpu0 = cpuTicks(recorder.pid());
                long t0 = System.nanoTime();
                produce(bootstrap, topic, events, rate, sessions);
                long sent = System.nanoTime();
                long[] done = await(db, recorder, log, warmup + events, (warmup > 0 ? 2 : 1) * sessions, sent);
                double cpu = (cpuTicks(recorder.pid()) - cpu0) / 100.0;
                return new Result(
                        b.label(),
                        round,
                        events,
                        (sent - t0) / 1e9,
                        (done[0] - sent) / 1e9,
                        (done[1] - sent) / 1e9,
                        events / ((done[0] - t0) / 1e9),
                        cpu);
            }
        } finally {
            recorder.destroy();
            recorder.waitFor();
        }
    }

    /** Waits until {@code events} are staged or sealed and {@code sessions} sealed: when each happened (nanoTime). */
    static long[] await(Connection db, Process recorder, Path log, long events, long sessions, long from)
            throws Exception {
        long ingested = 0;
        long sealed = 0;
        long deadline = from + TIMEOUT.toNanos();
        while ((ingested == 0 || sealed == 0) && System.nanoTime() < deadline) {
            if (!recorder.isAlive()) {
                throw new IllegalStateException("recorder exited, see " + log);
            }
            long[] c = counts(db);
            long now = System.nanoTime();
            if (ingested == 0 && c[0] >= events) {
                ingested = now;
            }
            if (sealed == 0 && c[1] >= sessions) {
                sealed = now;
            }
            Thread.sleep(20);
        }
        if (sealed == 0 || ingested == 0) {
            throw new IllegalStateException("recorder did not catch up in " + TIMEOUT + ", see " + log);
        }
        return new long[] {ingested, sealed};
    }

    /** Events staged or in a sealed recording; sessions sealed complete. */
    static long[] counts(Connection db) throws Exception {
        try (Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT COALESCE(sum(CASE WHEN status = 'recording' THEN buffered "
                        + "ELSE event_count END), 0), count(*) FILTER (WHERE status = 'complete') "
                        + "FROM recorded_session")) {
            r.next();
            return new long[] {r.getLong(1), r.getLong(2)};
        }
    }

    /**
     * {@code events} in {@code sessions} sessions interleaved as concurrent clients make them: each session's
     * {@code session.started} first, then request/output pairs round-robin, each session's {@code session.ended}
     * last. Paced in 1 ms slices; keyed by session id as the proxy keys them; acks=all.
     */
    static void produce(String bootstrap, String topic, long events, int rate, int sessions) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        long perSession = events / sessions;
        if (perSession < 4 || perSession % 2 != 0) {
            throw new IllegalArgumentException("events/sessions must be even and at least 4");
        }
        long statements = (perSession - 2) / 2;
        Random random = new Random(42);
        byte[] secret = TestKeys.eventSecret();
        String keyId = EventAuth.keyId(secret);
        String[] ids = new String[sessions];
        Mac[] macs = new Mac[sessions];
        for (int i = 0; i < sessions; i++) {
            ids[i] = UUID.randomUUID().toString();
            macs[i] = EventAuth.sessionMac(EventAuth.sessionKey(secret, ids[i]));
        }
        Instant t = Instant.now();
        long sent = 0;
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<byte[]> batch = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                keys.add(ids[i]);
                batch.add(RecordingSizeBenchmark.event(
                        ids[i],
                        0,
                        EventTypes.SESSION_STARTED,
                        t,
                        "{\"client_address\":\"10.0.3.17:51234\",\"protocol\":\"postgres\",\"subject\":\"bench\","
                                + "\"scopes\":[\"db:pg-demo\"],\"access\":\"read\",\"database\":\"demo\"}",
                        keyId,
                        macs[i]));
            }
            for (long n = 0; n < statements; n++) {
                for (int i = 0; i < sessions; i++) {
                    String[] s = RecordingSizeBenchmark.PGBENCH_S.statement((int) n, random);
                    t = t.plus(40, ChronoUnit.MICROS);
                    long seq = 1 + 2 * n;
                    keys.add(ids[i]);
                    batch.add(RecordingSizeBenchmark.event(
                            ids[i],
                            seq,
                            EventTypes.SESSION_REQUEST,
                            t,
                            s[0] + ",\"decision\":" + s[1] + "}",
                            keyId,
                            macs[i]));
                    keys.add(ids[i]);
                    batch.add(RecordingSizeBenchmark.event(
                            ids[i],
                            seq + 1,
                            EventTypes.SESSION_OUTPUT,
                            t.plus(20, ChronoUnit.MICROS),
                            "{\"request_seq\":" + seq + "," + s[2] + "}",
                            keyId,
                            macs[i]));
                }
                if (batch.size() >= 64) {
                    sent = flush(producer, topic, keys, batch, sent, rate, start);
                }
            }
            for (int i = 0; i < sessions; i++) {
                keys.add(ids[i]);
                batch.add(RecordingSizeBenchmark.event(
                        ids[i],
                        perSession - 1,
                        EventTypes.SESSION_ENDED,
                        t.plusMillis(1),
                        "{\"reason\":\"client_closed\",\"requests\":" + statements + "}",
                        keyId,
                        macs[i]));
            }
            flush(producer, topic, keys, batch, sent, rate, start);
            producer.flush();
        }
    }

    private static long flush(
            KafkaProducer<String, byte[]> producer,
            String topic,
            List<String> keys,
            List<byte[]> batch,
            long sent,
            int rate,
            long start) {
        for (int i = 0; i < batch.size(); i++) {
            producer.send(new ProducerRecord<>(topic, keys.get(i), batch.get(i)), (md, e) -> {
                if (e != null) {
                    System.err.println("send failed: " + e);
                    System.exit(2);
                }
            });
        }
        sent += batch.size();
        batch.clear();
        keys.clear();
        if (rate > 0) {
            long due = start + sent * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        return sent;
    }

    static Process start(Build b, int port, Map<String, String> client, String topic, Path recordings, Path log)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(
                java,
                "-Xmx" + System.getProperty("lag.xmx", "512m"),
                // the channel keeps its name (contracts' Topics), only the topic it reads is this run's own; a
                // property, as the channel's name has a dash an environment variable cannot spell
                "-Dmp.messaging.incoming." + Topics.SESSION_EVENTS + ".topic=" + topic,
                "-jar",
                b.dir().resolve("quarkus-run.jar").toString());
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
        // no Keycloak: only ingestion is measured
        env.put("QUARKUS_OIDC_TENANT_ENABLED", "false");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("recorder exited with " + p.exitValue() + ", see " + log);
            }
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        p.destroyForcibly();
        throw new IllegalStateException("recorder not ready, see " + log);
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
