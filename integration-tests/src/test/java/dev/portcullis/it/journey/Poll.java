package dev.portcullis.it.journey;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the tests never sleep to assert, they poll. */
final class Poll {

    private Poll() {}

    /**
     * Calls {@code attempt} until it returns a non-null value, which is returned; an attempt that
     * throws an AssertionError or RuntimeException counts as "not yet". At the deadline, fails with
     * {@code what} and the last error.
     */
    static <T> T until(String what, Duration timeout, Supplier<T> attempt) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        long pause = 100;
        while (true) {
            try {
                T value = attempt.get();
                if (value != null) {
                    return value;
                }
            } catch (AssertionError | RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError e = new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
                        + what + (last == null ? "" : "; last: " + last.getMessage()));
                if (last != null) {
                    e.addSuppressed(last);
                }
                throw e;
            }
            pause(pause);
            pause = Math.min(1000, pause * 2);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
