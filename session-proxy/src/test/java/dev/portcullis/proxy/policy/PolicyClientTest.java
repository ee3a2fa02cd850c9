package dev.portcullis.proxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.Decision;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real HTTP server on loopback that answers slowly, or not at all. */
class PolicyClientTest {

    Vertx vertx;
    HttpServer server;
    volatile long answerAfterMillis = -1; // -1: never answer
    volatile boolean trickle; // an answer that starts and never ends, a byte every 100 ms

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    if (trickle) {
                        req.response()
                                .setChunked(true)
                                .putHeader("Content-Type", "application/json")
                                .write("{");
                        vertx.setPeriodic(100, id -> {
                            if (req.response().closed()) {
                                vertx.cancelTimer(id);
                            } else {
                                req.response().write(" ");
                            }
                        });
                    } else if (answerAfterMillis >= 0) {
                        vertx.setTimer(
                                Math.max(1, answerAfterMillis),
                                id -> req.response()
                                        .putHeader("Content-Type", "application/json")
                                        .end(new JsonObject()
                                                .put("result", new JsonObject().put("action", "allow"))
                                                .encode()));
                    }
                }))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Decision decide(Duration timeout) throws Exception {
        PolicyClient client = new PolicyClient(vertx, "http://127.0.0.1:" + server.actualPort(), timeout, http -> null);
        return client.decide(new JsonObject().put("request", new JsonObject().put("protocol", "ssh")))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** Asks with {@code timeout} and asserts a fail-closed deny that came only once the timeout had passed. */
    void assertDeniedAfter(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        Decision d = decide(timeout);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(Decision.Action.DENY, d.action());
        assertTrue(d.reasons().contains("policy service unavailable"), d::toString);
        assertTrue(
                waited >= timeout.toMillis() - 10,
                "failed closed only once the timeout passed, after " + waited + " ms");
    }

    @Test
    void aPolicyServiceThatNeverAnswersIsADenyAfterTheTimeout() throws Exception {
        assertDeniedAfter(Duration.ofMillis(300));
    }

    @Test
    void anAnswerThatNeverEndsIsADenyAfterTheTimeoutThoughTheConnectionIsNeverIdle() throws Exception {
        trickle = true;
        assertDeniedAfter(Duration.ofMillis(500));
    }

    @Test
    void anAnswerInTimeIsTheDecision() throws Exception {
        answerAfterMillis = 0;
        assertEquals(Decision.Action.ALLOW, decide(Duration.ofSeconds(10)).action());
    }
}
