package dev.portcullis.it.journey;

import dev.portcullis.devstack.Ports;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The SSH target of the journeys: the real OpenSSH {@code sshd} (package openssh-server) in the
 * foreground on a free loopback port, with a config, host key and authorized_keys of its own under
 * the run directory, so it needs no root and touches nothing of the machine's own sshd. It lets
 * exactly one key in, as the user running the tests; the private half of that key is written only
 * to session-proxy's secrets ({@code credentials.privateKeyFile} of the connection).
 *
 * <p>Its {@code srv/} directory holds what the agent works on: {@code customers.txt} (names,
 * e-mails and card numbers of {@link PortcullisSuite#CUSTOMERS}) and {@code releases/}, which a
 * refused command would remove.
 */
final class SshTarget implements AutoCloseable {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private final Process sshd;
    private final Path knownHosts;
    private final Path clientKey;

    private SshTarget(Path dir, int port, Process sshd, Path knownHosts, Path clientKey) {
        this.dir = dir;
        this.port = port;
        this.sshd = sshd;
        this.knownHosts = knownHosts;
        this.clientKey = clientKey;
    }

    /** Starts sshd under {@code dir}; the proxy's client key goes to {@code secrets}. */
    static SshTarget start(Path dir, Path secrets) throws IOException {
        if (!Files.isExecutable(SSHD)) {
            throw new IOException(SSHD + " is missing: install the package openssh-server (the SSH journey's target)");
        }
        Files.createDirectories(dir);
        Files.createDirectories(secrets);
        Path hostKey = dir.resolve("ssh_host_ecdsa_key");
        Path clientKey = secrets.resolve("ssh-target-client-key");
        keygen(hostKey, "journey target host key");
        keygen(clientKey, "session-proxy to the journey target");
        Path authorized = dir.resolve("authorized_keys");
        Files.move(clientKey.resolveSibling(clientKey.getFileName() + ".pub"), authorized);

        Path srv = dir.resolve("srv");
        Files.createDirectories(srv.resolve("releases/current"));
        Files.writeString(srv.resolve("releases/current/VERSION"), "1.0.0\n");
        Files.writeString(
                srv.resolve("customers.txt"),
                PortcullisSuite.CUSTOMERS.stream()
                        .map(c -> c.get(0) + ";" + c.get(1) + ";" + c.get(2))
                        .collect(Collectors.joining("\n", "", "\n")));

        int port = Ports.free();
        Path config = dir.resolve("sshd_config");
        Files.writeString(
                config,
                String.join(
                                "\n",
                                "# the journey tests' SSH target (PortcullisSuite); key login only, loopback only",
                                "ListenAddress 127.0.0.1",
                                "Port " + port,
                                "HostKey " + hostKey,
                                "PidFile " + dir.resolve("sshd.pid"),
                                "AuthorizedKeysFile " + authorized,
                                "AuthenticationMethods publickey",
                                "PubkeyAuthentication yes",
                                "PasswordAuthentication no",
                                "KbdInteractiveAuthentication no",
                                "PermitRootLogin prohibit-password",
                                "UsePAM no",
                                "StrictModes no",
                                "AllowTcpForwarding no",
                                "X11Forwarding no",
                                "PrintMotd no",
                                "")
                        + "\n");
        try {
            // privilege separation directory OpenSSH insists on (root can create it; elsewhere it exists with the
            // package)
            Files.createDirectories(Path.of("/run/sshd"));
        } catch (IOException e) {
            // not root: the package's own directory has to do
        }
        Path log = dir.resolve("sshd.log");
        Process sshd = new ProcessBuilder(List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        SshTarget target = null;
        try {
            awaitListening(sshd, port, log);
            String[] pub = Files.readString(hostKey.resolveSibling(hostKey.getFileName() + ".pub"))
                    .trim()
                    .split("\\s+");
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n");
            target = new SshTarget(dir, port, sshd, knownHosts, clientKey);
            return target;
        } finally {
            if (target == null) {
                stop(sshd);
            }
        }
    }

    private static void keygen(Path key, String comment) throws IOException {
        Process p = new ProcessBuilder(List.of(
                        "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", comment, "-f", key.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        "ssh-keygen (package openssh-client) failed for " + key.getFileName() + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void awaitListening(Process sshd, int port, Path log) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!sshd.isAlive()) {
                throw new IOException("sshd exited at start: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Poll.pause(100);
            }
        }
        throw new IOException("sshd did not listen on " + port + " within 15 s: " + Files.readString(log));
    }

    int port() {
        return port;
    }

    /** The user the proxy logs in as: whoever runs the tests (sshd runs as that user too). */
    static String user() {
        return System.getProperty("user.name");
    }

    Path knownHosts() {
        return knownHosts;
    }

    /** The proxy's private key for this target (session-proxy's secret). */
    Path clientKey() {
        return clientKey;
    }

    /** The agent's working directory on the target. */
    Path srv() {
        return dir.resolve("srv");
    }

    Path customersFile() {
        return srv().resolve("customers.txt");
    }

    /** What a refused {@code rm -rf} aims at: it must still be there afterwards. */
    Path releases() {
        return srv().resolve("releases");
    }

    /** The main sshd and the per-connection processes it forked. */
    @Override
    public void close() {
        stop(sshd);
    }

    private static void stop(Process sshd) {
        List<ProcessHandle> children = sshd.descendants().toList();
        sshd.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sshd.destroyForcibly();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return "sshd on 127.0.0.1:" + port + " (" + dir + ")";
    }
}
