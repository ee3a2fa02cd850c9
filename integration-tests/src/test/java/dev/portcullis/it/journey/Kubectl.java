package dev.portcullis.it.journey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@code kubectl} pointed at session-proxy's HTTP/Kubernetes listener (TLS: kubectl sends
 * a bearer token only over TLS), as session-proxy/README.md shows an agent's kubeconfig: server
 * {@code https://localhost:<port>/<connection>}, the proxy's certificate as the cluster's CA, the
 * session token as the user's token. The kubeconfig (owner-only) carries the token, never the
 * command line.
 */
final class Kubectl {

    private final int port;
    private final Path proxyCa;
    private final Path dir;
    private final AtomicInteger configs = new AtomicInteger();

    Kubectl(int proxyHttpsPort, Path proxyCa, Path dir) {
        this.port = proxyHttpsPort;
        this.proxyCa = proxyCa;
        this.dir = dir;
    }

    /** A kubeconfig for one agent session token on {@code connection}, default namespace {@code namespace}. */
    Path kubeconfig(String connection, String namespace, String token) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("kubeconfig-" + configs.incrementAndGet() + ".yaml");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: %1$s
                      cluster:
                        server: https://localhost:%2$d/%1$s
                        certificate-authority: %3$s
                    users:
                    - name: agent
                      user:
                        token: %4$s
                    contexts:
                    - name: %1$s
                      context: { cluster: %1$s, user: agent, namespace: %5$s }
                    current-context: %1$s
                    """.formatted(connection, port, proxyCa, token, namespace));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code kubectl <args>} with that kubeconfig and a discovery cache of its own. */
    Client start(Path kubeconfig, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "kubectl",
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                kubeconfig.resolveSibling(kubeconfig.getFileName() + ".cache").toString(),
                "--request-timeout",
                "0"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("HOME", dir.toString()); // no ~/.kube of whoever runs the tests
        return Client.start("kubectl", pb);
    }

    Client.Result run(Path kubeconfig, String... args) {
        return start(kubeconfig, args).await(Duration.ofSeconds(60));
    }
}
