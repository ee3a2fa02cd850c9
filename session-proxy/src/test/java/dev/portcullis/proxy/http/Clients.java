package dev.portcullis.proxy.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real clients of the HTTP gateway's tests: {@code kubectl} with a kubeconfig whose server is
 * the proxy's {@code /k8s-demo} prefix and whose user token is the agent token (in the file, never
 * on the command line), and {@code curl}.
 */
final class Clients {

    record Result(int exit, String stdout, String stderr) {}

    private static final Map<Process, Path[]> OUTPUTS = new ConcurrentHashMap<>();

    private Clients() {}

    static boolean installed(String tool) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static Path kubeconfig(int proxyPort, String token) throws IOException {
        Path dir = HttpTestResource.dir();
        Path cfg = Files.createTempFile(dir, "kubeconfig-", ".yaml");
        Files.writeString(cfg, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: portcullis
                  cluster:
                    server: https://localhost:%d/%s
                    certificate-authority: %s
                users:
                - name: agent
                  user:
                    token: %s
                contexts:
                - name: portcullis
                  context: { cluster: portcullis, user: agent, namespace: %s }
                current-context: portcullis
                """.formatted(
                        proxyPort,
                        HttpTestResource.K8S,
                        HttpTestResource.PROXY_CERT.certificatePath(),
                        token,
                        HttpTestResource.NAMESPACE));
        return cfg;
    }

    static Process kubectl(Path kubeconfig, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "kubectl",
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                HttpTestResource.dir()
                        .resolve("kube-cache-" + System.nanoTime())
                        .toString(),
                "--request-timeout",
                "0"));
        cmd.addAll(List.of(args));
        return start(cmd);
    }

    static Result kubectlRun(Path kubeconfig, String... args) throws Exception {
        return await(kubectl(kubeconfig, args), 60);
    }

    /** curl with a header file, so the token is not on the command line. */
    static Result curl(String token, String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "curl", "-sS", "--cacert", HttpTestResource.PROXY_CERT.certificatePath(), "-w", "\\n%{http_code}"));
        if (token != null) {
            Path headers = Files.createTempFile(HttpTestResource.dir(), "curl-", ".headers");
            Files.writeString(headers, "Authorization: Bearer " + token + "\n");
            cmd.addAll(List.of("-H", "@" + headers));
        }
        cmd.addAll(List.of(extra));
        cmd.add(url);
        return await(start(cmd), 60);
    }

    /** A raw TLS socket to the proxy (for requests no well-behaved client sends). */
    static javax.net.ssl.SSLSocket tlsSocket(int port) throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(Path.of(HttpTestResource.PROXY_CERT.certificatePath()))) {
            trust.setCertificateEntry(
                    "proxy",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        javax.net.ssl.SSLSocket s =
                (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("localhost", port);
        s.startHandshake();
        return s;
    }

    static Process start(List<String> cmd) throws IOException {
        Path out = Files.createTempFile(HttpTestResource.dir(), "out-", ".txt");
        Path err = Files.createTempFile(HttpTestResource.dir(), "err-", ".txt");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        p.getOutputStream().close();
        OUTPUTS.put(p, new Path[] {out, err});
        return p;
    }

    static String stdout(Process p) throws IOException {
        return Files.readString(OUTPUTS.get(p)[0], StandardCharsets.UTF_8);
    }

    static Result await(Process p, long seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(p.info().command().orElse("?") + " did not finish within " + seconds + "s: "
                    + Files.readString(OUTPUTS.get(p)[1]));
        }
        Path[] f = OUTPUTS.get(p);
        return new Result(p.exitValue(), Files.readString(f[0]), Files.readString(f[1]));
    }
}
