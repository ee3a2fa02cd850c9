package dev.portcullis.proxy.pg;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test (its name keeps it out of {@code verify}): {@code pgbench -S} through the
 * proxy running in this JVM on the test stack ({@link ProxyTestResource}: real PostgreSQL, Kafka and
 * Keycloak, the stand-in policy server), {@code -M simple} and {@code -M prepared} alternating, and
 * for each run the TPS and this JVM's CPU time per transaction (the proxy, its Kafka producer and the
 * stand-in policy server; less disturbed by other load on the machine than TPS). Used for the A/B of
 * the session context and tracing (README, Benchmark). Run:
 * {@code ./mvnw -pl session-proxy -am test -Dtest=PgTracingBenchmark -Dbench.rounds=4 -Dbench.seconds=10}.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PgTracingBenchmark {

    @Inject
    PgListener listener;

    static Duration cpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow();
    }

    @Test
    void bench() throws Exception {
        int port = listener.actualPort();
        String token = Agents.demoAgentToken();
        PgClients.Result init = PgClients.run(
                List.of(
                        "pgbench",
                        "-i",
                        "-s",
                        "1",
                        "-q",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "-U",
                        "agent",
                        ProxyTestResource.CONNECTION),
                token,
                null,
                300);
        if (init.exit() != 0) {
            throw new AssertionError(init.err());
        }
        int seconds = Integer.getInteger("bench.seconds", 10);
        int rounds = Integer.getInteger("bench.rounds", 3);
        for (String mode : List.of("simple", "prepared")) {
            run(port, token, mode, 5); // warm-up
        }
        StringBuilder out = new StringBuilder();
        for (int round = 1; round <= rounds; round++) {
            for (String mode : List.of("simple", "prepared")) {
                Duration c0 = cpu();
                double[] r = run(port, token, mode, seconds);
                Duration c1 = cpu();
                double cpuPerTx = (c1.minus(c0).toNanos() / 1000.0) / Math.max(1, r[1]);
                String line = String.format(
                        "BENCH %s round %d: %.0f TPS, %.2f ms, %d tx, %.1f us JVM CPU/tx, load %s",
                        mode,
                        round,
                        r[0],
                        r[2],
                        (long) r[1],
                        cpuPerTx,
                        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                                .trim());
                System.out.println(line);
                out.append(line).append('\n');
            }
        }
        java.nio.file.Files.writeString(
                java.nio.file.Path.of(System.getProperty("bench.out", "target/bench.txt")), out);
    }

    static double[] run(int port, String token, String mode, int seconds) throws Exception {
        PgClients.Result r = PgClients.run(
                List.of(
                        "pgbench",
                        "-n",
                        "-S",
                        "-M",
                        mode,
                        "-c",
                        "4",
                        "-j",
                        "2",
                        "-T",
                        String.valueOf(seconds),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(port),
                        "-U",
                        "agent",
                        ProxyTestResource.CONNECTION),
                token,
                null,
                seconds + 120);
        if (r.exit() != 0) {
            throw new AssertionError(r.err() + r.out());
        }
        return new double[] {
            num(r.out(), "tps = ([0-9.]+)"),
            num(r.out(), "actually processed: ([0-9]+)"),
            num(r.out(), "latency average = ([0-9.]+)")
        };
    }

    static double num(String text, String re) {
        Matcher m = Pattern.compile(re).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + re + " in " + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
