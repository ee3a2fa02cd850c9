package dev.portcullis.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepPrinterTest {

    @TempDir
    Path dir;

    @Test
    void upDashDFollowsEachLineOnceAndNeverHalfALine() throws Exception {
        Path file = dir.resolve("progress");
        StepPrinter steps = new StepPrinter(file, System.nanoTime());
        StepPrinter.Follower follower = new StepPrinter.Follower(file);
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(seen, true, StandardCharsets.UTF_8);

        follower.printNew(out); // no file yet: nothing, no error
        assertEquals("", seen.toString(StandardCharsets.UTF_8));

        steps.ready("kafka", Duration.ofMillis(12_345), "127.0.0.1:9092");
        follower.printNew(out);
        String first = seen.toString(StandardCharsets.UTF_8);
        assertTrue(first.matches("  \\[ *\\d+\\.\\d s] kafka +ready in  12\\.3 s   127\\.0\\.0\\.1:9092\\R"), first);

        // a line still being written is held back until its newline arrives
        Files.writeString(file, "  [ 20.0 s] keycloak", StandardOpenOption.APPEND);
        follower.printNew(out);
        assertEquals(first, seen.toString(StandardCharsets.UTF_8));
        Files.writeString(file, " ready\n", StandardOpenOption.APPEND);
        follower.printNew(out);
        follower.printNew(out);
        assertEquals(first + "  [ 20.0 s] keycloak ready\n", seen.toString(StandardCharsets.UTF_8));
    }
}
