package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.LogCapture;
import dev.portcullis.proxy.ProxyTestResource;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.time.Duration;
import org.jboss.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/**
 * The session's MDC with Quarkus's own MDC and OpenTelemetry storage, on a thread that is not
 * Vert.x's (as MINA's and the SSH relays' are): the record carries the session and its trace id, and
 * a thread started meanwhile (a pool growing, as MINA's client pool does) inherits none of it.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class SessionLogsInQuarkusTest {

    static final Logger LOG = Logger.getLogger("dev.portcullis.proxy.test.quarkus-session");

    @Inject
    Vertx vertx;

    @Inject
    Tracer tracer;

    @Test
    void aThreadStartedInsideASessionDoesNotInheritIt() throws Exception {
        SessionContext session = SessionContext.open(tracer, vertx, "ssh", "s-threads", "127.0.0.1:7000");
        session.identify("ci-runner", "ssh-prod");
        try (LogCapture log = LogCapture.of(LOG.getName())) {
            Thread child;
            try (SessionContext.Entered e = session.enter()) {
                LOG.info("inside");
                child = Thread.ofPlatform().start(() -> LOG.info("from a thread started inside"));
                child.join();
            }
            LOG.info("after");
            ExtLogRecord inside = log.await("inside", Duration.ofSeconds(5));
            assertEquals("s-threads", inside.getMdc(SessionContext.SESSION_ID));
            assertEquals("ci-runner", inside.getMdc(SessionContext.AGENT));
            assertTrue(String.valueOf(inside.getMdc("traceId")).matches("[0-9a-f]{32}"), inside.getMdc("traceId"));
            ExtLogRecord started = log.await("from a thread started inside", Duration.ofSeconds(5));
            assertNull(started.getMdc(SessionContext.SESSION_ID), "inherited by a new thread");
            assertNull(started.getMdc(SessionContext.AGENT));
            assertNull(started.getMdc("traceId"));
            assertNull(log.await("after", Duration.ofSeconds(5)).getMdc(SessionContext.SESSION_ID));
        } finally {
            session.end("test over");
        }
    }
}
