package dev.portcullis.it.journey;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real command-line client ({@code psql}, {@code ssh}, {@code kubectl}) running as a child
 * process, stdin from {@code /dev/null}, stdout and stderr captured on their own threads so it
 * never blocks on a full pipe. Secrets go to it through its environment or a file, never argv.
 */
final class Client {

    record Result(String tool, int exit, String out, String err) {
        @Override
        public String toString() {
            return tool + " exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final String tool;
    private final Process process;
    private final Capture out;
    private final Capture err;

    private Client(String tool, Process process) {
        this.tool = tool;
        this.process = process;
        this.out = new Capture(process.getInputStream());
        this.err = new Capture(process.getErrorStream());
    }

    /** Starts {@code pb}; {@code tool} names it in messages. */
    static Client start(String tool, ProcessBuilder pb) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return new Client(tool, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + tool + " (is it installed?): " + e.getMessage(), e);
        }
    }

    /** Waits until the client's stderr so far satisfies {@code condition}, or fails at the deadline. */
    String awaitStderr(Predicate<String> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String e = err.text();
            if (condition.test(e)) {
                return e;
            }
            if (!process.isAlive()) {
                Result done = await(Duration.ofSeconds(10)); // drains both streams
                if (condition.test(done.err())) {
                    return done.err();
                }
                throw new AssertionError(tool + " exited before " + what + ": " + done);
            }
            Poll.pause(100);
        }
        throw new AssertionError(
                "no " + what + " from " + tool + " within " + timeout.toSeconds() + " s; stderr so far: " + err.text());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Stdout so far. */
    String out() {
        return out.text();
    }

    Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(
                        tool + " did not finish within " + timeout.toSeconds() + " s; stderr: " + err.text());
            }
            out.join();
            err.join();
            return new Result(tool, process.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    /** Whether {@code tool} is on the PATH. */
    static boolean installed(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** Reads a stream on its own thread. */
    private static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Capture(InputStream in) {
            thread = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        void join() throws InterruptedException {
            thread.join(Duration.ofSeconds(10));
        }
    }
}
