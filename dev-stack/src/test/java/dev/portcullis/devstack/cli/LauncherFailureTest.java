package dev.portcullis.devstack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bin/portcullis up -d` runs the launcher in the background and follows it with `await`: a launcher that fails before
 * it has started anything must be reported at once, with its reason, not after await's six minutes.
 */
class LauncherFailureTest {

    private record Run(int exit, String out, long millis) {}

    @Test
    void upWithAServicePortTakenFailsBeforeStartingAnythingAndSaysSoInItsState(@TempDir Path root) throws Exception {
        // session-proxy's admin port (8083) held, by this test or by whatever already listens there
        try (ServerSocket held = holdIfFree(8083)) {
            Run up = run(root, "up");
            assertEquals(1, up.exit(), up.out());
            String state = Files.readString(root.resolve(".portcullis/run/state"));
            assertTrue(
                    state.startsWith("failed: port ") && state.contains("is already in use on 127.0.0.1"),
                    "state: " + state);
            assertTrue(up.out().contains("is already in use"), up.out());
            // nothing was started: no component's data directory or pid file
            assertTrue(Files.notExists(root.resolve(".portcullis/postgres")), "PostgreSQL was not started");
            try (var pids = Files.list(root.resolve(".portcullis/run"))) {
                assertEquals(
                        List.of(),
                        pids.filter(f -> f.toString().endsWith(".pid")).toList());
            }

            Run await = run(root, "await");
            assertEquals(1, await.exit(), await.out());
            assertTrue(await.out().contains("is already in use"), await.out());
            assertTrue(await.millis() < 20_000, "reported after " + await.millis() + " ms");
        }
    }

    @Test
    void awaitReportsALauncherThatDiedWhileStartingWithinSecondsAndShowsItsLog(@TempDir Path root) throws Exception {
        Path run = Files.createDirectories(root.resolve(".portcullis/run"));
        Path logs = Files.createDirectories(root.resolve(".portcullis/logs"));
        // what bin/portcullis writes before the launcher runs, and a launcher that died before writing anything else
        Files.writeString(run.resolve("state"), "starting");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(run.resolve("launcher.pid"), Long.toString(dead.pid()));
        Files.writeString(logs.resolve("launcher.log"), "java.lang.OutOfMemoryError: the launcher's last words\n");

        Run await = run(root, "await");
        assertEquals(1, await.exit(), await.out());
        assertTrue(await.out().contains("the launcher exited"), await.out());
        assertTrue(await.out().contains("the launcher's last words"), await.out());
        assertTrue(await.millis() < 20_000, "reported after " + await.millis() + " ms");
    }

    private static ServerSocket holdIfFree(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException inUse) {
            s.close(); // already held by something else: the precondition holds all the same
        }
        return s;
    }

    private static Run run(Path root, String command) throws Exception {
        Path out = root.resolve(command + ".out");
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-Dportcullis.root=" + root,
                        "-cp",
                        System.getProperty("java.class.path"),
                        PortcullisCli.class.getName(),
                        command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        long t0 = System.nanoTime();
        try {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " still running after 90 s:\n" + Files.readString(out));
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), millis);
    }
}
