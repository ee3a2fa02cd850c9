package dev.portcullis.it.journey;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real {@code psql} (package postgresql-client) pointed at session-proxy: {@code dbname} is the
 * connection, the password is the session token. The token goes through {@code PGPASSWORD}, never
 * the command line, where {@code ps} would show it.
 */
final class Psql {

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "psql exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Process process;
    private final Capture out;
    private final Capture err;

    private Psql(Process process) {
        this.process = process;
        this.out = new Capture(process.getInputStream());
        this.err = new Capture(process.getErrorStream());
    }

    /** Runs one command string through the proxy and waits for psql to exit. */
    static Result run(int port, String connection, String agent, String token, String sql) {
        Psql p = start(port, connection, agent, token, sql);
        return p.await(Duration.ofSeconds(90));
    }

    /** Starts psql in the background (for a statement that will be held for review). */
    static Psql start(int port, String connection, String agent, String token, String sql) {
        // -X: no psqlrc; -A -t: bare rows; VERBOSITY=verbose: errors carry their SQLSTATE
        ProcessBuilder pb = new ProcessBuilder(List.of("psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v",
                "VERBOSITY=verbose", "host=127.0.0.1 port=" + port + " dbname=" + connection + " user=" + agent
                        + " connect_timeout=15",
                "-c", sql));
        pb.environment().put("PGPASSWORD", token);
        pb.environment().remove("PGSERVICE");
        pb.environment().put("PGAPPNAME", "journey-it");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new Psql(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not run psql (install postgresql-client): " + e.getMessage(), e);
        }
    }

    /** Waits until psql's stderr so far satisfies {@code condition}, or fails at the deadline. */
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
                throw new AssertionError("psql exited before " + what + ": " + done);
            }
            Poll.pause(100);
        }
        throw new AssertionError("no " + what + " from psql within " + timeout.toSeconds() + " s; stderr so far: " + err.text());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Result await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("psql did not finish within " + timeout.toSeconds() + " s; stderr: " + err.text());
            }
            out.join();
            err.join();
            return new Result(process.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    /** Reads a stream on its own thread so psql never blocks on a full pipe. */
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
