package dev.portcullis.devstack;

import java.time.Duration;
import java.util.Optional;

/** Polls a real readiness probe until it passes, the process dies, or the time is up. */
public final class Readiness {

    @FunctionalInterface
    public interface Probe {
        /** Returns normally when ready; throws (any exception) while not yet ready. */
        void check() throws Exception;
    }

    private Readiness() {}

    /**
     * Like {@link #await(String, ChildProcess, Duration, Probe)}, and a passed probe does not count while a process
     * outside {@code process}'s tree is found holding the listener on {@code port} ({@link Listeners#otherHolder}):
     * that server answered the probe, and the caller would go on talking to the wrong process. Where {@code /proc}
     * cannot tell, the probe alone decides.
     */
    public static void await(String what, ChildProcess process, int port, Duration timeout, Probe probe) {
        await(what, process, timeout, () -> {
            probe.check();
            if (process == null) {
                return;
            }
            ProcessHandle started = ProcessHandle.of(process.pid())
                    .orElseThrow(() -> new DevStackException("pid " + process.pid() + " has exited"));
            Optional<Long> other = Listeners.otherHolder(started, port);
            if (other.isPresent()) {
                // the other process's executable only: a command line may carry secrets
                throw new DevStackException("port " + port + " answers, but pid " + other.get() + " ("
                        + ProcessHandle.of(other.get())
                                .flatMap(h -> h.info().command())
                                .orElse("?")
                        + ") listens there, not the process started for it (pid " + process.pid() + ")");
            }
        });
    }

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
