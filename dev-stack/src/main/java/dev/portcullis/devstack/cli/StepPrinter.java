package dev.portcullis.devstack.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * `up`'s progress: one line per component as it becomes ready, with the time since `up` began and
 * the time the component itself took. Printed (foreground `up`) and appended to a file that
 * `up -d` follows while it waits, so a start of a minute or more is never a silent one.
 */
final class StepPrinter {

    private final Path file;
    private final long t0;

    StepPrinter(Path file, long t0) {
        this.file = file;
        this.t0 = t0;
    }

    /** A component passed its readiness check. */
    synchronized void ready(String component, Duration took, String address) {
        line("%-17s ready in %5.1f s   %s".formatted(component, took.toMillis() / 1000.0, address));
    }

    /** A step without a readiness probe of its own finished. */
    synchronized void done(String what, String detail) {
        line("%-17s %s".formatted(what, detail));
    }

    /** What `up` waits for next. */
    synchronized void note(String text) {
        line("... " + text);
    }

    private void line(String text) {
        String line = "  [%5.1f s] %s".formatted((System.nanoTime() - t0) / 1e9, text);
        System.out.println(line);
        try {
            Files.writeString(
                    file,
                    line + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // progress is a courtesy; `up` goes on without it
        }
    }

    /** Prints the lines added to a progress file since the last call (whole lines only). */
    static final class Follower {
        private final Path file;
        private long offset;

        Follower(Path file) {
            this.file = file;
        }

        void printNew(PrintStream out) {
            if (!Files.exists(file)) {
                return;
            }
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                if (f.length() <= offset) {
                    return;
                }
                f.seek(offset);
                byte[] bytes = new byte[(int) (f.length() - offset)];
                f.readFully(bytes);
                String text = new String(bytes, StandardCharsets.UTF_8);
                int end = text.lastIndexOf('\n');
                if (end < 0) {
                    return;
                }
                out.print(text.substring(0, end + 1));
                out.flush();
                offset += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
            } catch (IOException e) {
                // try again at the next poll
            }
        }
    }
}
