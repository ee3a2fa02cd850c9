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
 * the run directory; it touches nothing of the machine's own sshd. It lets two keys in: the write
 * key as the user running the tests, and the read key as {@link #READ_USER}, an unprivileged
 * account that owns nothing under {@code srv/}: the {@code read} credentials of the connection, so
 * the target itself refuses a read session's writes whatever policy decides (docs/architecture.md
 * "Connections"). Run as root, the tests create that account when it is missing ({@code useradd
 * --system}, home {@code /}, shell {@code /bin/sh}, no password); not as root, sshd can log in
 * only as the user running it, so both keys log in as that user and {@link #readUser()} says so.
 * The private halves are written only to session-proxy's secrets.
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
    private final Path readKey;
    private final String readUser;

    /** The unprivileged account of the connection's {@code read} credentials. */
    static final String READ_USER = "portcullis-read";

    private SshTarget(
            Path dir, int port, Process sshd, Path knownHosts, Path clientKey, Path readKey, String readUser) {
        this.dir = dir;
        this.port = port;
        this.sshd = sshd;
        this.knownHosts = knownHosts;
        this.clientKey = clientKey;
        this.readKey = readKey;
        this.readUser = readUser;
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
        Path readKey = secrets.resolve("ssh-target-read-key");
        keygen(hostKey, "journey target host key");
        keygen(clientKey, "session-proxy to the journey target");
        keygen(readKey, "session-proxy to the journey target, read account");
        String readUser = readAccount();
        // one file per user (AuthorizedKeysFile …/%u), readable by the read account, which sshd reads it as
        Path authorized = dir.resolve("authorized_keys");
        Files.createDirectories(authorized);
        Path writeKeys = authorized.resolve(user());
        Files.move(clientKey.resolveSibling(clientKey.getFileName() + ".pub"), writeKeys);
        Path readPub = readKey.resolveSibling(readKey.getFileName() + ".pub");
        if (readUser.equals(user())) {
            Files.writeString(writeKeys, Files.readString(readPub), java.nio.file.StandardOpenOption.APPEND);
            Files.delete(readPub);
        } else {
            Files.move(readPub, authorized.resolve(readUser));
        }
        for (Path p : List.of(dir, authorized)) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        try (var keys = Files.list(authorized)) {
            for (Path p : keys.toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
        }

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
                                "AuthorizedKeysFile " + authorized + "/%u",
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
            target = new SshTarget(dir, port, sshd, knownHosts, clientKey, readKey, readUser);
            return target;
        } finally {
            if (target == null) {
                stop(sshd);
            }
        }
    }

    /**
     * {@link #READ_USER} when it exists or can be created (as root), else the user running the tests. Not locked
     * (password {@code *}), since sshd without PAM refuses every login, keys too, to a locked account.
     */
    private static String readAccount() throws IOException {
        if (accountExists(READ_USER)) {
            return READ_USER;
        }
        if (!"root".equals(user())) {
            return user();
        }
        run(List.of(
                "useradd",
                "--system",
                "--home-dir",
                "/",
                "--no-create-home",
                "--shell",
                "/bin/sh",
                "--password",
                "*",
                READ_USER));
        if (!accountExists(READ_USER)) {
            throw new IOException("useradd did not create " + READ_USER);
        }
        return READ_USER;
    }

    private static boolean accountExists(String name) throws IOException {
        return run(List.of("getent", "passwd", name)) == 0;
    }

    private static int run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.getFirst() + " did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return p.exitValue();
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

    /** The proxy's private key for this target (session-proxy's secret): the write and admin credentials. */
    Path clientKey() {
        return clientKey;
    }

    /** The proxy's private key for the read account (the connection's read credentials). */
    Path readKey() {
        return readKey;
    }

    /** The account of the read credentials: {@link #READ_USER}, or the user running the tests when not root. */
    String readUser() {
        return readUser;
    }

    /** Whether the read credentials log in as an account of their own (the tests run as root). */
    boolean readAccountIsSeparate() {
        return !readUser.equals(user());
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
