package dev.portcullis.proxy.enforcement;

import dev.portcullis.proxy.events.EventPublisher;
import dev.portcullis.proxy.events.SessionRecorder;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Write-ahead for every protocol (docs/architecture.md "Delivery"): a request is forwarded to its target only once
 * its {@code session.request} and {@code session.decision} events are recorded, acknowledged by Kafka with
 * {@code acks=all} or written to the proxy's spool. While they cannot be (Kafka stalled and the spool full) the
 * request waits, which holds the client (back-pressure), at most {@code portcullis.events.hold-timeout}; then, or
 * when the publisher gives an event up ({@code when-unrecorded=refuse}), it is refused with {@link #REFUSAL}.
 */
public final class WriteAhead {

    /** What the agent is told: the request did not run. */
    public static final String REFUSAL =
            "the audit record of this request could not be written (event log unavailable); it was not run";

    private WriteAhead() {}

    /**
     * Calls {@code then} with true once events {@code fromSeq}..{@code toSeq} of {@code recorder} are recorded,
     * false when they are not within the hold timeout. On the caller's Vert.x context (an event loop); at once,
     * on this thread, when they are recorded already or write-ahead is off.
     */
    public static void await(
            Vertx vertx,
            EventPublisher events,
            SessionRecorder recorder,
            long fromSeq,
            long toSeq,
            Handler<Boolean> then) {
        if (recorder == null || toSeq < 0 || !events.writeAhead()) {
            then.handle(true);
            return;
        }
        Context context = vertx.getOrCreateContext();
        AtomicBoolean once = new AtomicBoolean();
        Thread caller = Thread.currentThread();
        boolean[] sync = {true};
        long[] timer = {-1};
        recorder.whenRecorded(fromSeq, toSeq, ok -> {
            if (Thread.currentThread() == caller && sync[0]) {
                once.set(true);
                finish(events, then, ok);
            } else {
                context.runOnContext(v -> {
                    if (once.compareAndSet(false, true)) {
                        vertx.cancelTimer(timer[0]);
                        finish(events, then, ok);
                    }
                });
            }
        });
        sync[0] = false;
        if (!once.get()) {
            timer[0] = vertx.setTimer(events.holdTimeout().toMillis(), t -> {
                if (once.compareAndSet(false, true)) {
                    finish(events, then, false);
                }
            });
        }
    }

    private static void finish(EventPublisher events, Handler<Boolean> then, boolean ok) {
        if (!ok) {
            events.requestRefused();
        }
        then.handle(ok);
    }

    /**
     * The same for a protocol that runs a request on a thread of its own (SSH): blocks until events
     * {@code fromSeq}..{@code toSeq} are recorded (true) or the hold timeout passes (false).
     */
    public static boolean awaitBlocking(EventPublisher events, SessionRecorder recorder, long fromSeq, long toSeq)
            throws InterruptedException {
        if (recorder == null || toSeq < 0 || !events.writeAhead()) {
            return true;
        }
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        recorder.whenRecorded(fromSeq, toSeq, f::complete);
        boolean ok;
        try {
            ok = f.get(events.holdTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            ok = false;
        }
        if (!ok) {
            events.requestRefused();
        }
        return ok;
    }
}
