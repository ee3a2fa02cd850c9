package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.LogCapture;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Log records written on behalf of a session carry its MDC keys, on the thread that entered it and
 * on an event-loop callback after an async hop, and nothing of it is left on the thread afterwards.
 */
class SessionContextTest {

    static final Logger LOG = Logger.getLogger("dev.portcullis.proxy.test.session");
    final SdkTracerProvider traces = SdkTracerProvider.builder().build();
    final Tracer tracer = traces.get("test");
    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        traces.close();
    }

    static Map<String, String> mdc(ExtLogRecord r) {
        return Map.of(
                "session_id", String.valueOf(r.getMdc(SessionContext.SESSION_ID)),
                "protocol", String.valueOf(r.getMdc(SessionContext.PROTOCOL)),
                "agent", String.valueOf(r.getMdc(SessionContext.AGENT)),
                "connection", String.valueOf(r.getMdc(SessionContext.CONNECTION)));
    }

    @Test
    void aRecordLoggedInsideASessionCarriesItsKeysAndNoneAfter() {
        SessionContext session = SessionContext.open(tracer, null, "postgres", "s-1", "127.0.0.1:5000");
        try (LogCapture log = LogCapture.of(LOG.getName())) {
            try (SessionContext.Entered e = session.enter()) {
                LOG.info("before login");
                session.identify("ci-runner", "pg-prod");
                LOG.info("after login");
            }
            LOG.info("outside");
            assertEquals(
                    Map.of("session_id", "s-1", "protocol", "postgres", "agent", "null", "connection", "null"),
                    mdc(log.containing("before login").getFirst()));
            assertEquals(
                    Map.of("session_id", "s-1", "protocol", "postgres", "agent", "ci-runner", "connection", "pg-prod"),
                    mdc(log.containing("after login").getFirst()));
            assertEquals(
                    Map.of("session_id", "null", "protocol", "null", "agent", "null", "connection", "null"),
                    mdc(log.containing("outside").getFirst()));
        }
        assertTrue(MDC.getMap().isEmpty(), () -> "left on the thread: " + MDC.getMap());
    }

    @Test
    void aSessionEnteredInsideAnotherIsLeftForTheOuterOneAsItWas() {
        SessionContext outer = SessionContext.open(tracer, null, "ssh", "outer", "a");
        outer.identify("agent-a", "ssh-a");
        SessionContext inner = SessionContext.open(tracer, null, "postgres", "inner", "b");
        try (LogCapture log = LogCapture.of(LOG.getName())) {
            try (SessionContext.Entered o = outer.enter()) {
                try (SessionContext.Entered i = inner.enter()) {
                    LOG.info("inner");
                    assertSame(inner, SessionContext.current());
                }
                LOG.info("outer again");
                assertSame(outer, SessionContext.current());
            }
            assertEquals(
                    Map.of("session_id", "inner", "protocol", "postgres", "agent", "null", "connection", "null"),
                    mdc(log.containing("inner").getFirst()));
            assertEquals(
                    Map.of("session_id", "outer", "protocol", "ssh", "agent", "agent-a", "connection", "ssh-a"),
                    mdc(log.containing("outer again").getFirst()));
        }
        assertNull(SessionContext.current());
    }

    @Test
    void aCallbackOnTheEventLoopAfterAnAsyncHopLogsInItsSessionAndLeavesTheLoopClean() throws Exception {
        SessionContext session = SessionContext.open(tracer, null, "postgres", "s-hop", "127.0.0.1:5001");
        session.identify("ci-runner", "pg-prod");
        CompletableFuture<String> spanInCallback = new CompletableFuture<>();
        CompletableFuture<Void> after = new CompletableFuture<>();
        try (LogCapture log = LogCapture.of(LOG.getName())) {
            vertx.runOnContext(v -> {
                // the session's work on the event loop schedules a timer; its callback is the async hop
                try (SessionContext.Entered e = session.enter()) {
                    vertx.setTimer(20, session.wrap(t -> {
                        LOG.info("timer fired");
                        spanInCallback.complete(Span.current().getSpanContext().getTraceId());
                        vertx.runOnContext(x -> {
                            LOG.info("another session's turn");
                            after.complete(null);
                        });
                    }));
                }
            });
            after.get(10, TimeUnit.SECONDS);
            ExtLogRecord fired = log.containing("timer fired").getFirst();
            assertTrue(fired.getThreadName().startsWith("vert.x-eventloop"), fired.getThreadName());
            assertEquals(
                    Map.of(
                            "session_id",
                            "s-hop",
                            "protocol",
                            "postgres",
                            "agent",
                            "ci-runner",
                            "connection",
                            "pg-prod"),
                    mdc(fired));
            ExtLogRecord next = log.containing("another session's turn").getFirst();
            assertEquals(fired.getThreadName(), next.getThreadName(), "the same event loop");
            assertNull(next.getMdc(SessionContext.SESSION_ID), "nothing of the session stays on the loop");
            assertNull(next.getMdc(SessionContext.AGENT));
        }
        String traceId = spanInCallback.get();
        assertNotEquals("00000000000000000000000000000000", traceId, "the session's span is current");
        session.end("done");
    }

    @Test
    void eachSessionIsATraceOfItsOwn() {
        SessionContext a = SessionContext.open(tracer, null, "postgres", "a", "x");
        SessionContext b = SessionContext.open(tracer, null, "postgres", "b", "y");
        String ta;
        String tb;
        try (SessionContext.Entered e = a.enter()) {
            ta = Span.current().getSpanContext().getTraceId();
        }
        try (SessionContext.Entered e = b.enter()) {
            tb = Span.current().getSpanContext().getTraceId();
        }
        assertNotEquals(ta, tb);
        assertFalse(Span.current().getSpanContext().isValid(), "no span left current");
    }
}
