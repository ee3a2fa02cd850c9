package dev.portcullis.devstack;

import java.time.Duration;

/** Polls a real readiness probe until it passes, the process dies, or the time is up. */
public final class Readiness {

    @FunctionalInterface
    public interface Probe {
        /** Returns normally when ready; throws (any exception) while not yet ready. */
        void check() throws Exception;
    }

    private Readiness() {}

    public static void await(String what, ChildProcess process, Duration timeout, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new DevStackException(what + " exited before it became ready. Last lines of " + process.logFile()
                        + ":" + System.lineSeparator() + process.logTail(40));
            }
            try {
                probe.check();
                return;
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DevStackException("interrupted while waiting for " + what, e);
            }
        }
        throw new DevStackException(
                what + " was not ready within " + timeout.toSeconds() + " s (last probe error: "
                        + (last == null ? "none" : last.getClass().getSimpleName() + ": " + last.getMessage()) + ")"
                        + (process == null
                                ? ""
                                : ". Last lines of " + process.logFile() + ":" + System.lineSeparator()
                                        + process.logTail(40)),
                last);
    }
}
