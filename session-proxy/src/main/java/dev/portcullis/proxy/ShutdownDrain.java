package dev.portcullis.proxy;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.LiveSession;
import dev.portcullis.proxy.enforcement.SessionRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Drains the pod on shutdown instead of cutting every session at once (docs/architecture.md "Deployment"): readiness
 * went down first (Quarkus's {@code quarkus.shutdown.delay}, during which sessions are still accepted); then new
 * sessions are refused ({@link SessionRegistry#draining}: PostgreSQL {@code 57P03}, SSH a disconnect, HTTP {@code
 * 503}), live ones may finish for up to {@code portcullis.shutdown.drain-timeout}, and those still open are ended with
 * their protocol's message (PostgreSQL FATAL {@code 57P01} admin_shutdown). Runs before the listeners close.
 */
@ApplicationScoped
public class ShutdownDrain {

    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    /** How long ended sessions get to write their last message before the listeners close. */
    private static final long FLUSH_MILLIS = 1_000;

    private final ProxyConfig config;
    private final SessionRegistry registry;

    public ShutdownDrain(ProxyConfig config, SessionRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    void onStop(@Observes @Priority(100) ShutdownEvent ev) {
        drain();
    }

    /** Refuses new sessions, waits for the live ones up to the bound, ends the rest. Blocking. */
    public void drain() {
        registry.startDraining();
        long bound = config.shutdown().drainTimeout().toMillis();
        long end = System.nanoTime() + bound * 1_000_000L;
        List<LiveSession> open = registry.sessions();
        if (!open.isEmpty()) {
            LOG.infof("draining: %d session(s) open, waiting up to %d ms for them to end", open.size(), bound);
        }
        try {
            while (!(open = registry.sessions()).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            if (!open.isEmpty()) {
                LOG.infof("draining: ending %d session(s) still open after %d ms", open.size(), bound);
                open.forEach(s -> s.terminate("the proxy is shutting down"));
                long flushEnd = System.nanoTime() + FLUSH_MILLIS * 1_000_000L;
                while (!registry.sessions().isEmpty() && System.nanoTime() < flushEnd) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
