package dev.portcullis.broker.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.broker.support.Agents;
import dev.portcullis.broker.support.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Load client for {@code POST /v1/tokens} against the real Keycloak, PostgreSQL and Kafka of the
 * dev stack: concurrent agents, each with its own grant, minting as fast as they can. Not a test
 * (the name keeps it out of the normal run); run it with
 *
 * <pre>
 * ./mvnw -pl identity-broker test -Dtest=TokenMintBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.agents=8] [-Dbench.concurrency=16] [-Dbench.warmup=10] [-Dbench.seconds=30]
 * </pre>
 *
 * It prints tokens/s and latency percentiles and the ratio of the two rates, and writes them to
 * target/benchmark-token-mint.txt. It runs its own Keycloak in the test JVM's dev stack; to compare
 * two builds side by side against a running stack, use {@code identity-broker/bench/mint-bench.sh}.
 */
@QuarkusTest
class TokenMintBenchmark {

    @TestHTTPResource("/v1/tokens")
    URI tokens;

    @Test
    void mintTokensConcurrently() throws Exception {
        int agents = Integer.getInteger("bench.agents", 8);
        int concurrency = Integer.getInteger("bench.concurrency", 16);
        int warmup = Integer.getInteger("bench.warmup", 10);
        int seconds = Integer.getInteger("bench.seconds", 30);

        List<String> agentTokens = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            Agents.Created a = Agents.create("bench", Tokens.ADMIN);
            Agents.grant(a.name(), "pg-test", "read");
            agentTokens.add(Tokens.agentToken(a.name(), a.secret()));
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String mintBody = "{\"connection\":\"pg-test\",\"access\":\"read\"}";
        StringBuilder report = new StringBuilder(String.format(
                "token mint benchmark: agents=%d concurrency=%d duration=%ds (after %ds warm-up) cpus=%d load=%.1f%n",
                agents,
                concurrency,
                seconds,
                warmup,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage()));
        int minted = run(
                report,
                "broker POST /v1/tokens",
                http,
                concurrency,
                warmup,
                seconds,
                w -> HttpRequest.newBuilder(tokens)
                        .header("Authorization", "Bearer " + agentTokens.get(w % agents))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(mintBody))
                        .build());
        if (Boolean.parseBoolean(System.getProperty("bench.baseline", "true"))) {
            // the same exchange straight at Keycloak: what the broker adds is the difference
            URI endpoint = URI.create(Tokens.tokenEndpoint());
            int direct = run(
                    report,
                    "Keycloak token exchange alone",
                    http,
                    concurrency,
                    warmup,
                    seconds,
                    w -> HttpRequest.newBuilder(endpoint)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
                                            + "&client_id=identity-broker&client_secret=identity-broker-dev-secret"
                                            + "&subject_token=" + agentTokens.get(w % agents)
                                            + "&subject_token_type=urn:ietf:params:oauth:token-type:access_token"
                                            + "&scope=conn:pg-test:read&audience=session-proxy"))
                            .build());
            report.append(String.format("  broker / Keycloak: %.2f%n", direct == 0 ? 0.0 : minted / (double) direct));
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "benchmark-token-mint.txt"), report);
        assertTrue(minted > 0, "the benchmark minted tokens");
    }

    /** Runs one load phase and appends its figures; returns the number of successful calls. */
    private static int run(
            StringBuilder report,
            String name,
            HttpClient http,
            int concurrency,
            int warmup,
            int seconds,
            java.util.function.IntFunction<HttpRequest> requests)
            throws InterruptedException {
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        long[][] samples = new long[concurrency][];
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            HttpRequest request = requests.apply(w);
            Thread.ofPlatform().name("bench-" + w).start(() -> {
                long[] mine = new long[1 << 20];
                int n = 0;
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        if (t0 < warmupEnd) {
                            continue;
                        }
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        } else if (n < mine.length) {
                            mine[n++] = t1 - t0;
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                } finally {
                    samples[worker] = mine;
                    counts[worker] = n;
                    done.countDown();
                }
            });
        }
        done.await();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < concurrency; w++) {
            System.arraycopy(samples[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        report.append(String.format(
                "  %s: %d ok, %d errors -> %.1f tokens/s; latency ms p50=%.1f p90=%.1f p99=%.1f max=%.1f%n",
                name,
                total,
                errors.get(),
                total / (double) seconds,
                ms(pct(all, 50)),
                ms(pct(all, 90)),
                ms(pct(all, 99)),
                ms(all.length == 0 ? 0 : all[all.length - 1])));
        return total;
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(i, sorted.length - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
