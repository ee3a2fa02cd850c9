package dev.portcullis.proxy.ssh;

import dev.portcullis.devstack.DevStack;
import dev.portcullis.proxy.FakePolicyServer;
import dev.portcullis.proxy.TestStacks;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real OpenSSH {@code sshd} (package openssh-server) as the SSH target, on a free loopback port
 * with its own config, host key and authorized_keys, logging in the current user by key; Kafka and
 * Keycloak from dev-stack; {@link FakePolicyServer} for policy.
 *
 * <p>The SSH connection is named {@code pg-demo} in this test's own connections file: the realm
 * lets demo-agent request only {@code conn:pg-demo:*} scopes, and the name is all a token binds to.
 */
public class SshTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String CONNECTION = "pg-demo";
    public static final String CARD = "4111 1111 1111 1111";
    /** A second connection to the same sshd whose sessions end after 3 seconds. */
    public static final String SHORT = "ssh-short";

    private static Process sshd;
    private static FakePolicyServer policy;
    private static Path dir;
    private static Path knownHosts;
    private static String goodKnownHosts;
    private static String otherHostKey;
    private static int sshdPort;

    public static FakePolicyServer policy() {
        return policy;
    }

    public static Path dir() {
        return dir;
    }

    /** The target sshd's port (for direct comparisons). */
    public static int sshdPort() {
        return sshdPort;
    }

    /** Swaps the connection's knownHosts to a different host key (true) or back to the real one (false). */
    public static void wrongHostKey(boolean wrong) throws IOException {
        String line = goodKnownHosts.substring(0, goodKnownHosts.indexOf(' ') + 1) + otherHostKey;
        Files.writeString(knownHosts, wrong ? line + "\n" : goodKnownHosts);
    }

    /**
     * After {@link dev.portcullis.proxy.ProxyTestResource} (a global resource, order 0), so this connections file and
     * policy server win for the SSH test class.
     */
    @Override
    public int order() {
        return 100;
    }

    @Override
    public Map<String, String> start() {
        DevStack stack = TestStacks.kafkaAndKeycloak();
        dev.portcullis.proxy.KeycloakScopes.grantDemoAgent(CONNECTION, "write");
        dev.portcullis.proxy.KeycloakScopes.grantDemoAgent(SHORT, "read");
        try {
            dir = Path.of("target", "ssh-test").toAbsolutePath();
            if (Files.exists(dir)) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(dir);
            keygen(dir.resolve("host_key"));
            keygen(dir.resolve("other_host_key"));
            keygen(dir.resolve("proxy_client_key"));
            Files.copy(dir.resolve("proxy_client_key.pub"), dir.resolve("authorized_keys"));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, """
                    Port %d
                    ListenAddress 127.0.0.1
                    HostKey %s
                    AuthorizedKeysFile %s
                    PidFile %s
                    UsePAM no
                    PubkeyAuthentication yes
                    PasswordAuthentication no
                    KbdInteractiveAuthentication no
                    PermitRootLogin prohibit-password
                    StrictModes no
                    Subsystem sftp internal-sftp
                    """.formatted(
                            port, dir.resolve("host_key"), dir.resolve("authorized_keys"), dir.resolve("sshd.pid")));
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
            sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sshd.log").toFile())
                    .start();
            awaitPort(port);
            sshdPort = port;
            String[] hostPub =
                    Files.readString(dir.resolve("host_key.pub")).trim().split("\\s+");
            String[] otherPub =
                    Files.readString(dir.resolve("other_host_key.pub")).trim().split("\\s+");
            otherHostKey = otherPub[0] + " " + otherPub[1];
            goodKnownHosts = "[127.0.0.1]:" + port + " " + hostPub[0] + " " + hostPub[1] + "\n";
            knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, goodKnownHosts);
            Files.writeString(dir.resolve("cards.txt"), "customer Ada, card " + CARD + " on file\n");
            Path connections = dir.resolve("connections.yaml");
            Files.writeString(connections, """
                    connections:
                      %s:
                        type: ssh
                        address: 127.0.0.1:%d
                        credentials: { username: %s, privateKeyFile: %s }
                        knownHosts: %s
                        accessLevels: [read, write, admin]
                        tags: { env: prod }
                      %s:
                        type: ssh
                        address: 127.0.0.1:%d
                        credentials: { username: %s, privateKeyFile: %s }
                        knownHosts: %s
                        accessLevels: [read]
                        maxSessionDuration: PT3S
                    """.formatted(
                            CONNECTION,
                            port,
                            System.getProperty("user.name"),
                            dir.resolve("proxy_client_key"),
                            knownHosts,
                            SHORT,
                            port,
                            System.getProperty("user.name"),
                            dir.resolve("proxy_client_key"),
                            knownHosts));
            policy = FakePolicyServer.start();
            Map<String, String> config2 = TestStacks.proxyConfig(stack, policy, connections, dir, "20s");
            config2.put("portcullis.ssh.login-timeout", "5s");
            config2.put("portcullis.ssh.max-connections", "8");
            // idle sockets that never log in count against their own budget (issue 15 §5), not max-connections
            config2.put("portcullis.ssh.max-unauthenticated", "8");
            config2.put(
                    "portcullis.ssh.host-key-file",
                    dir.resolve("proxy_host_key").toString());
            return config2;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void keygen(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", file.toString()))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + out);
        }
    }

    private static void awaitPort(int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (!sshd.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("sshd did not listen on " + port);
    }

    @Override
    public void stop() {
        if (sshd != null) {
            sshd.destroy();
            try {
                sshd.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (policy != null) {
            policy.close();
        }
    }
}
