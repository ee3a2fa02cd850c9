package dev.portcullis.devstack;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which process holds a listening TCP socket, from Linux's {@code /proc}: a readiness probe that any server on the
 * port could answer proves nothing about the process we started. A clean-clone CI run lost every integration test
 * when identity-broker's port answered {@code /q/health/ready} with 200 — and {@code POST /v1/agents} with Vert.x's
 * "Resource not found" — most likely another of the stack's servers, given the same port (the run left no logs to
 * prove it; {@link Ports#free()} no longer hands a port out twice).
 */
public final class Listeners {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    /** {@code st} of a listening socket in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
    private static final String LISTEN = "0A";

    private Listeners() {}

    /**
     * The pid of a process <em>outside</em> {@code process}'s tree (it and its descendants) that holds a socket
     * listening on {@code port}, when one is positively found; empty when the tree holds it, when nobody is seen
     * holding it, or when this cannot be told (no {@code /proc}, as on macOS; a sandbox whose {@code /proc/net/tcp}
     * lists nothing; another user's process whose descriptors cannot be read). Only a positive finding may stop a
     * readiness probe that passed, so an odd {@code /proc} never turns a working stack into a failed start.
     */
    public static Optional<Long> otherHolder(ProcessHandle process, int port) {
        Set<String> inodes;
        try {
            inodes = listeningInodes(port);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        Set<Long> tree = new HashSet<>();
        tree.add(process.pid());
        process.descendants().forEach(d -> tree.add(d.pid()));
        for (long pid : tree) {
            if (holdsSocket(pid, inodes)) {
                return Optional.empty();
            }
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (!tree.contains(pid) && holdsSocket(pid, inodes)) {
                    return Optional.of(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The inodes of the sockets listening on {@code port}, on any local address, IPv4 or IPv6. */
    static Set<String> listeningInodes(int port) throws IOException {
        String hexPort = String.format("%04X", port);
        Set<String> inodes = new HashSet<>();
        for (Path table : TABLES) {
            if (!Files.isReadable(table)) {
                continue; // no /proc (macOS): nothing found, nothing refused
            }
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length < 10) {
                    continue;
                }
                String local = f[1];
                int colon = local.lastIndexOf(':');
                if (colon > 0 && local.substring(colon + 1).equalsIgnoreCase(hexPort) && LISTEN.equals(f[3])) {
                    inodes.add(f[9]);
                }
            }
        }
        return inodes;
    }

    /** Whether {@code pid} has one of {@code inodes} open; false when its descriptors cannot be read. */
    static boolean holdsSocket(long pid, Set<String> inodes) {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed while we looked
                }
                if (target.startsWith("socket:[")
                        && inodes.contains(target.substring("socket:[".length(), target.length() - 1))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // exited, or another user's
        }
    }
}
