package dev.portcullis.recorder.ingest;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Periodically hands the finalizer the sessions that need it: complete ones (after a restart, say),
 * ones whose gap has been held long enough, and ones open past their connection's max duration.
 */
@ApplicationScoped
public class SessionSweeper {

    private static final Logger LOG = Logger.getLogger(SessionSweeper.class);
    private final RecordingFinalizer finalizer;

    SessionSweeper(RecordingFinalizer finalizer) {
        this.finalizer = finalizer;
    }

    @Scheduled(
            every = "${portcullis.ingest.sweep-interval}",
            delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            finalizer.candidates(200).forEach(finalizer::submit);
        } catch (RuntimeException e) {
            LOG.warnf("session sweep failed (next run retries): %s", e.toString());
        }
    }
}
