package dev.portcullis.policy.benchmark;

import dev.portcullis.devstack.quarkus.DevStackTestResource;
import dev.portcullis.policy.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URL;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Decisions per second over HTTP/1.1 with keep-alive from a closed-loop concurrent client (Vert.x,
 * {@value #CONNECTIONS} connections, {@value #IN_FLIGHT} requests in flight) in the same JVM on the
 * same machine, with real Keycloak tokens and decision logs going to the real Kafka; baseline:
 * the same client against {@code /q/health/live}. Prints figures, asserts nothing about speed.
 */
@Tag("benchmark")
@QuarkusTest
@QuarkusTestResource(
        value = DevStackTestResource.class,
        initArgs = {
            @ResourceArg(name = "components", value = "postgres,kafka,keycloak"),
            @ResourceArg(name = "database", value = "policy")
        })
class HttpDecisionBenchmark {

    static final int CONNECTIONS = 8;
    static final int IN_FLIGHT = 32;
    static final long WARMUP_SECONDS = 8;
    static final long MEASURE_SECONDS = 15;

    static final String BODY = "{\"input\": " + EngineBenchmark.INPUTS[0] + "}";

    @TestHTTPResource("/")
    URL base;

    @Test
    void decisionsPerSecond() throws Exception {
        String token = Tokens.sessionProxy();
        Vertx vertx = Vertx.vertx();
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setKeepAlive(true)
                    .setMaxPoolSize(CONNECTIONS)
                    .setDefaultHost(base.getHost())
                    .setDefaultPort(base.getPort()));
            RequestOptions decide = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setURI("/v1/data/portcullis/decision")
                    .putHeader("Authorization", "Bearer " + token)
                    .putHeader("Content-Type", "application/json");
            RequestOptions live = new RequestOptions().setMethod(HttpMethod.GET).setURI("/q/health/live");

            load(client, live, null, WARMUP_SECONDS / 2);
            Result health = load(client, live, null, MEASURE_SECONDS);
            load(client, decide, Buffer.buffer(BODY), WARMUP_SECONDS);
            Result decisions = load(client, decide, Buffer.buffer(BODY), MEASURE_SECONDS);
            Stats.report(String.format(
                    "HTTP POST /v1/data/portcullis/decision: %.0f decisions/s, p50 %.2f ms, p99 %.2f ms, "
                            + "%d errors (baseline GET /q/health/live: %.0f req/s, p50 %.2f ms, p99 %.2f ms; ratio %.2f)",
                    decisions.perSecond(),
                    decisions.p50Ms(),
                    decisions.p99Ms(),
                    decisions.errors(),
                    health.perSecond(),
                    health.p50Ms(),
                    health.p99Ms(),
                    decisions.perSecond() / health.perSecond()));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    record Result(long count, long errors, double seconds, long[] sortedNanos) {
        double perSecond() {
            return count / seconds;
        }

        double p50Ms() {
            return Stats.percentile(sortedNanos, sortedNanos.length, 50) / 1e6;
        }

        double p99Ms() {
            return Stats.percentile(sortedNanos, sortedNanos.length, 99) / 1e6;
        }
    }

    private static Result load(HttpClient client, RequestOptions options, Buffer body, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int capacity = 2_000_000;
        long[] latencies = new long[capacity];
        AtomicInteger recorded = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(IN_FLIGHT);
        long start = System.nanoTime();
        for (int i = 0; i < IN_FLIGHT; i++) {
            next(client, options, body, end, latencies, recorded, errors, done);
        }
        done.await(seconds + 30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        int n = Math.min(recorded.get(), capacity);
        return new Result(recorded.get(), errors.get(), elapsed, Stats.sorted(latencies, n));
    }

    private static void next(
            HttpClient client,
            RequestOptions options,
            Buffer body,
            long end,
            long[] latencies,
            AtomicInteger recorded,
            AtomicLong errors,
            CountDownLatch done) {
        if (System.nanoTime() >= end) {
            done.countDown();
            return;
        }
        long t0 = System.nanoTime();
        client.request(options)
                .compose(req -> body == null ? req.send() : req.send(body))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(ar -> {
                    if (ar.failed() || ar.result() != 200) {
                        errors.incrementAndGet();
                    } else {
                        int i = recorded.getAndIncrement();
                        if (i < latencies.length) {
                            latencies[i] = System.nanoTime() - t0;
                        }
                    }
                    next(client, options, body, end, latencies, recorded, errors, done);
                });
    }
}
