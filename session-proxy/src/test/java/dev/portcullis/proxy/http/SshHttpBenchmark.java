package dev.portcullis.proxy.http;

import dev.portcullis.proxy.HttpListener;
import dev.portcullis.proxy.KeycloakScopes;
import dev.portcullis.proxy.SshListener;
import dev.portcullis.proxy.ssh.SshClients;
import dev.portcullis.proxy.ssh.SshTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a test (its name keeps it out of {@code verify}; {@code bench/ssh-http-compare.sh}
 * runs it): the proxy against direct access, one run each, on this machine.
 * <ul>
 * <li>SSH throughput: {@code ssh … cat <file>} of {@code bench.file-mb} MB of text (base64
 * lines), with the policy's card detector on and with a policy that masks nothing;</li>
 * <li>SSH latency: {@code bench.execs} sequential {@code ssh … true}, each a new connection;</li>
 * <li>HTTP: wrk against a read-only Kubernetes-API-shaped workload (list pods, get pod, get
 * configmap, list secrets; round robin), through the proxy and directly to the test API server.</li>
 * </ul>
 * Direct SSH is the real OpenSSH sshd; the API server is fabric8's mock behind {@link KubeApiFront}.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchTestResource.class, restrictToAnnotatedClass = true)
class SshHttpBenchmark {

    @Inject
    SshListener ssh;

    @Inject
    HttpListener http;

    private final List<String> report = new ArrayList<>();

    @Test
    void compare() throws Exception {
        for (String tool : List.of("ssh", "wrk")) {
            Assumptions.assumeTrue(Clients.installed(tool), tool + " is not installed: benchmark skipped");
        }
        int mb = Integer.getInteger("bench.file-mb", 100);
        int execs = Integer.getInteger("bench.execs", 200);
        int wrkSeconds = Integer.getInteger("bench.wrk-seconds", 10);
        // tokens live 5 minutes; the runs take longer
        java.util.function.Supplier<String> token = fresh("conn:" + SshTestResource.CONNECTION + ":read");
        Path file = SshTestResource.dir().resolve("bench-" + mb + "mb.txt");
        if (!Files.exists(file) || Files.size(file) < mb * 1_000_000L) {
            run(List.of("sh", "-c", "head -c " + (mb * 750_000L) + " /dev/urandom | base64 > " + file), 600);
        }
        long bytes = Files.size(file);
        line(
                "machine: %d cores, shared with other builds (noisy); proxy, targets and clients on one host",
                Runtime.getRuntime().availableProcessors());
        String k8sToken = KeycloakScopes.demoAgentToken(HttpTestResource.K8S_SCOPE);
        Path lua = HttpTestResource.dir().resolve("k8s-read.lua");
        Files.writeString(lua, """
                local paths = { "%1$s/api/v1/namespaces/team-a/pods", "%1$s/api/v1/namespaces/team-a/pods/web-0",
                                "%1$s/api/v1/namespaces/team-a/configmaps/settings", "%1$s/api/v1/namespaces/team-a/secrets" }
                local i = 0
                request = function()
                  i = i %% #paths + 1
                  return wrk.format("GET", paths[i])
                end
                """);
        String directLua = Files.readString(lua).replace("%1$s", "").replace("%%", "%");
        String proxyLua = Files.readString(lua)
                .replace("%1$s", "/" + HttpTestResource.K8S)
                .replace("%%", "%");
        Path directScript = HttpTestResource.dir().resolve("k8s-read-direct.lua");
        Path proxyScript = HttpTestResource.dir().resolve("k8s-read-proxy.lua");
        Files.writeString(directScript, directLua);
        Files.writeString(proxyScript, proxyLua);
        line(
                "HTTP: wrk -t2 -c8 -d%ds, round robin over list pods, get pod, get configmap, list secrets (TLS both ways)",
                wrkSeconds);
        // a short warm-up of each first (JIT, lazily started beans, connection pools), not counted
        wrk("https://localhost:" + HttpTestResource.front().port(), KubeApiFront.SA_TOKEN, directScript, 3);
        wrk("https://localhost:" + http.actualPort(), k8sToken, proxyScript, 3);
        double directRps = wrk(
                "https://localhost:" + HttpTestResource.front().port(),
                KubeApiFront.SA_TOKEN,
                directScript,
                wrkSeconds);
        double proxyRps = wrk("https://localhost:" + http.actualPort(), k8sToken, proxyScript, wrkSeconds);
        line("  direct (test API server)       %7.0f requests/s", directRps);
        line("  proxy                          %7.0f requests/s   ratio %.2f", proxyRps, proxyRps / directRps);
        line("SSH: cat of %.1f MB (base64 text, 76-character lines)", bytes / 1e6);
        double direct = seconds(directSsh("cat " + file));
        double proxied = seconds(proxySsh(token.get(), "cat " + file));
        HttpTestResource.policy().maskNothing.set(true);
        double proxiedPlain = seconds(proxySsh(token.get(), "cat " + file));
        HttpTestResource.policy().maskNothing.set(false);
        line("  direct                         %7.1f MB/s", bytes / 1e6 / direct);
        line("  proxy, card detector on        %7.1f MB/s   ratio %.2f", bytes / 1e6 / proxied, direct / proxied);
        line(
                "  proxy, policy masks nothing    %7.1f MB/s   ratio %.2f",
                bytes / 1e6 / proxiedPlain, direct / proxiedPlain);

        line("SSH: %d sequential `ssh … true` (a new connection each)", execs);
        double directExecs = seconds(() -> {
            for (int i = 0; i < execs; i++) {
                directSsh("true").run();
            }
        });
        int[] failed = {0};
        double proxyExecs = seconds(() -> {
            for (int i = 0; i < execs; i++) {
                try {
                    proxySsh(token.get(), "true").run();
                } catch (IllegalStateException e) {
                    failed[0]++;
                    System.out.println("BENCH exec " + i + " failed: " + e.getMessage());
                }
            }
        });
        line("  direct                         %7.1f ms per exec", directExecs * 1000 / execs);
        line(
                "  proxy                          %7.1f ms per exec   ratio (direct/proxy time) %.2f%s",
                proxyExecs * 1000 / execs,
                directExecs / proxyExecs,
                failed[0] == 0 ? "" : "   (" + failed[0] + " failed)");

        Path out = Path.of("target", "bench", "ssh-http-compare.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, String.join("\n", report) + "\n");
    }

    private static java.util.function.Supplier<String> fresh(String scope) {
        String[] current = {null};
        long[] at = {0};
        return () -> {
            if (current[0] == null || System.nanoTime() - at[0] > TimeUnit.SECONDS.toNanos(60)) {
                current[0] = KeycloakScopes.demoAgentToken(scope);
                at[0] = System.nanoTime();
            }
            return current[0];
        };
    }

    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        report.add(s);
        System.out.println("BENCH " + s);
    }

    interface Step {
        void run() throws Exception;
    }

    private static double seconds(Step step) throws Exception {
        long t0 = System.nanoTime();
        step.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static final List<String> SSH_OPTIONS = List.of(
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=10");

    private Step directSsh(String command) {
        return () -> {
            List<String> cmd = new ArrayList<>(List.of(
                    "ssh",
                    "-p",
                    String.valueOf(SshTestResource.sshdPort()),
                    "-i",
                    SshTestResource.dir().resolve("proxy_client_key").toString(),
                    "-o",
                    "IdentitiesOnly=yes"));
            cmd.addAll(SSH_OPTIONS);
            cmd.addAll(List.of(System.getProperty("user.name") + "@127.0.0.1", command));
            run(cmd, 600);
        };
    }

    private Step proxySsh(String token, String command) {
        return () -> {
            List<String> cmd = new ArrayList<>(List.of(
                    "ssh",
                    "-p",
                    String.valueOf(ssh.actualPort()),
                    "-o",
                    "PreferredAuthentications=keyboard-interactive",
                    "-o",
                    "PubkeyAuthentication=no"));
            cmd.addAll(SSH_OPTIONS);
            cmd.addAll(List.of(SshTestResource.CONNECTION + "@127.0.0.1", command));
            Path err = HttpTestResource.dir().resolve("bench-ssh.err");
            ProcessBuilder pb = SshClients.withToken(
                    new ProcessBuilder(cmd)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(err.toFile()),
                    token);
            try {
                finish(pb.start(), cmd, 600);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(
                        e.getMessage() + ": " + Files.readString(err).strip());
            }
        };
    }

    private static void run(List<String> cmd, int timeoutSeconds) throws Exception {
        finish(
                new ProcessBuilder(cmd)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start(),
                cmd,
                timeoutSeconds);
    }

    private static void finish(Process p, List<String> cmd, int timeoutSeconds) throws Exception {
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd.getFirst());
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(cmd.getFirst() + " exited " + p.exitValue());
        }
    }

    private static double wrk(String base, String token, Path script, int seconds)
            throws IOException, InterruptedException {
        Path headers = Files.createTempFile(HttpTestResource.dir(), "wrk", ".out");
        List<String> cmd = List.of(
                "wrk",
                "-t2",
                "-c8",
                "-d" + seconds + "s",
                "--latency",
                "-s",
                script.toString(),
                "-H",
                "Authorization: Bearer " + token,
                base + "/");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(headers.toFile())
                .start();
        p.waitFor(seconds + 60L, TimeUnit.SECONDS);
        String out = Files.readString(headers);
        System.out.println("BENCH wrk " + base + ":\n" + out.replace(token, "<token>"));
        Matcher m = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk printed no Requests/sec: " + out.replace(token, "<token>"));
        }
        Matcher errors = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        if (errors.find()) {
            throw new IllegalStateException("wrk saw " + errors.group(1) + " error responses");
        }
        return Double.parseDouble(m.group(1));
    }
}
