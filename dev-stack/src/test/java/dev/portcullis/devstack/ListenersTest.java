package dev.portcullis.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who holds a listening port, and a readiness probe that another server on the port cannot pass. */
class ListenersTest {

    @BeforeAll
    static void procTellsWhoListens() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "needs Linux's /proc/net/tcp");
        // some sandboxes list no sockets there, or none a process's descriptors name: there Listeners finds nothing,
        // readiness falls back to the probe alone, and these tests have nothing to check
        try (ServerSocket own = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Set<String> inodes = Listeners.listeningInodes(own.getLocalPort());
            assumeTrue(!inodes.isEmpty(), "/proc/net/tcp does not list this JVM's listening socket");
            assumeTrue(
                    Listeners.holdsSocket(ProcessHandle.current().pid(), inodes),
                    "/proc/<pid>/fd does not name this JVM's listening socket");
        }
    }

    @Test
    void aSocketThisProcessListensOnIsItsOwnAndAnotherProcessSeesThisOneHoldingIt(@TempDir Path dir)
            throws IOException {
        try (ServerSocket server = new ServerSocket(Ports.free(), 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            assertEquals(Optional.empty(), Listeners.otherHolder(ProcessHandle.current(), port));
            ChildProcess sleeper = sleeper(dir);
            try {
                assertEquals(
                        Optional.of(ProcessHandle.current().pid()),
                        Listeners.otherHolder(ProcessHandle.of(sleeper.pid()).orElseThrow(), port));
            } finally {
                sleeper.stop(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void aPortNobodyListensOnHasNoOtherHolderNorDoesAConnectedSocketsLocalPort(@TempDir Path dir) throws IOException {
        int port = Ports.free();
        ChildProcess sleeper = sleeper(dir);
        try (ServerSocket server = new ServerSocket(Ports.free(), 1, InetAddress.getLoopbackAddress());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            ProcessHandle other = ProcessHandle.of(sleeper.pid()).orElseThrow();
            assertEquals(Optional.empty(), Listeners.otherHolder(other, port));
            // a connected socket's local port is not a listener
            assertEquals(Optional.empty(), Listeners.otherHolder(other, client.getLocalPort()));
            // while the server's port is one, held by this JVM
            assertEquals(
                    Optional.of(ProcessHandle.current().pid()), Listeners.otherHolder(other, server.getLocalPort()));
        } finally {
            sleeper.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aProbeAnsweredByAnotherProcessDoesNotMakeTheStartedOneReady(@TempDir Path dir) throws Exception {
        // the CI failure: the started service's port answered its health probe, but another server was listening
        try (ServerSocket impostor = new ServerSocket(Ports.free(), 50, InetAddress.getLoopbackAddress())) {
            int port = impostor.getLocalPort();
            Readiness.Probe connects = () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    // accepted by the kernel on the impostor's backlog: the probe passes
                }
            };
            ChildProcess started = sleeper(dir);
            try {
                connects.check(); // the probe alone would call it ready
                DevStackException e = assertThrows(
                        DevStackException.class,
                        () -> Readiness.await(
                                "sleeper on port " + port, started, port, Duration.ofSeconds(2), connects));
                assertTrue(
                        e.getMessage().contains("pid " + ProcessHandle.current().pid() + " (")
                                && e.getMessage().contains("listens there, not the process started for it"),
                        "the error names the cause: " + e.getMessage());
                assertTrue(e.getMessage().contains("was not ready within"), e.getMessage());
            } finally {
                started.stop(Duration.ofSeconds(5));
            }
        }
    }

    private static ChildProcess sleeper(Path dir) {
        return ChildProcess.start(
                "sleeper",
                List.of("sleep", "60"),
                Map.of(),
                dir,
                dir.resolve("sleeper.log"),
                dir.resolve("sleeper.pid"));
    }
}
