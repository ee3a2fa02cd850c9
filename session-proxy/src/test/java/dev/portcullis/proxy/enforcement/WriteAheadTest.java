package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.Recorded;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WriteAhead}: a request goes on only once its events are recorded, on its own Vert.x context; one whose
 * events are not recorded within the hold timeout, or were given up, is refused and counted.
 */
class WriteAheadTest {

    private final Vertx vertx = Vertx.vertx();
    private final List<Recorded> pending = new CopyOnWriteArrayList<>();
    private final AtomicInteger refusedRequests = new AtomicInteger();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private EventPublisher publisher(Duration holdTimeout) {
        ProxyConfig.Events events = (ProxyConfig.Events) Proxy.newProxyInstance(
                ProxyConfig.Events.class.getClassLoader(),
                new Class<?>[] {ProxyConfig.Events.class},
                (p, m, a) -> m.getReturnType() == boolean.class ? false : null);
        ProxyConfig config = (ProxyConfig) Proxy.newProxyInstance(
                ProxyConfig.class.getClassLoader(), new Class<?>[] {ProxyConfig.class}, (p, m, a) -> events);
        return new EventPublisher(config) {
            @Override
            public void publish(String topic, String key, CloudEvent<?> event, String json, Recorded recorded) {
                pending.add(recorded); // recorded when the test says so, from another thread
            }

            @Override
            public boolean writeAhead() {
                return true;
            }

            @Override
            public Duration holdTimeout() {
                return holdTimeout;
            }

            @Override
            public void requestRefused() {
                refusedRequests.incrementAndGet();
            }
        };
    }

    /** Emits a request and its decision, then awaits them from a Vert.x context; the result and its context. */
    private CompletableFuture<Object[]> awaitOnContext(EventPublisher events, Context context) {
        SessionRecorder recorder = new SessionRecorder(events, "s-1", "agent", "conn", 0);
        CompletableFuture<Object[]> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            long request = recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject());
            long decision = recorder.emit(EventTypes.SESSION_DECISION, new JsonObject());
            WriteAhead.await(
                    vertx,
                    events,
                    recorder,
                    request,
                    decision,
                    ok -> done.complete(new Object[] {ok, Vertx.currentContext()}));
        });
        return done;
    }

    @Test
    void theRequestGoesOnOnItsOwnContextOnceItsEventsAreRecorded() throws Exception {
        EventPublisher events = publisher(Duration.ofMinutes(5));
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Object[]> done = awaitOnContext(events, context);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pending.size() < 2) {
            assertTrue(System.nanoTime() < end, "the request and decision were published");
            Thread.onSpinWait();
        }
        assertFalse(done.isDone(), "went on before its events were recorded");

        Thread.ofPlatform().start(() -> pending.forEach(r -> r.recorded(true))); // as the publisher thread does

        Object[] result = done.get(10, TimeUnit.SECONDS);
        assertEquals(true, result[0]);
        assertSame(context, result[1]);
        assertEquals(0, refusedRequests.get());
    }

    @Test
    void aGivenUpEventRefusesTheRequest() throws Exception {
        EventPublisher events = publisher(Duration.ofMinutes(5));
        CompletableFuture<Object[]> done = awaitOnContext(events, vertx.getOrCreateContext());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pending.size() < 2) {
            assertTrue(System.nanoTime() < end, "the request and decision were published");
            Thread.onSpinWait();
        }
        pending.get(0).recorded(true);
        pending.get(1).recorded(false);

        assertEquals(false, done.get(10, TimeUnit.SECONDS)[0]);
        assertEquals(1, refusedRequests.get());
    }

    @Test
    void eventsNeverRecordedRefuseTheRequestAfterTheHoldTimeout() throws Exception {
        EventPublisher events = publisher(Duration.ofMillis(50));
        CompletableFuture<Object[]> done = awaitOnContext(events, vertx.getOrCreateContext());

        assertEquals(false, done.get(10, TimeUnit.SECONDS)[0]);
        assertEquals(1, refusedRequests.get());
        assertEquals(2, pending.size());
    }
}
