package dev.portcullis.proxy.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real OpenSSH client. The token goes in by keyboard-interactive through an {@code SSH_ASKPASS}
 * script (env, never argv) that answers each "part i" prompt with the i-th 1000 characters of the
 * token: {@code ssh} cuts any answer at 1023 characters and Keycloak tokens are longer.
 */
public final class SshClients {

    record Result(int exit, String stdout, String stderr) {}

    private SshClients() {}

    private static Path askpass;

    /** The askpass script: prints the n-th 1000 characters of {@code $PORTCULLIS_TOKEN} for the prompt "part n". */
    public static synchronized Path askpass() throws IOException {
        if (askpass == null) {
            Path p = Files.createTempFile("portcullis-askpass", ".sh");
            Files.writeString(p, """
                    #!/bin/sh
                    n=$(printf '%s' "$1" | sed -n 's/.*part \\([0-9]*\\).*/\\1/p')
                    [ -n "$n" ] || n=1
                    printf '%s' "$PORTCULLIS_TOKEN" | cut -c$(( (n - 1) * 1000 + 1 ))-$(( n * 1000 ))
                    """);
            p.toFile().setExecutable(true);
            askpass = p;
        }
        return askpass;
    }

    /** Starts {@code ssh} toward the proxy, logging in by keyboard-interactive with the token. */
    static Process start(int port, String user, String token, List<String> extra, String command) throws IOException {
        return start(port, user, token, extra, command, null);
    }

    /** As above, writing {@code input} to ssh's stdin before closing it. */
    static Process start(int port, String user, String token, List<String> extra, String command, String input)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "ssh",
                "-p",
                String.valueOf(port),
                "-l",
                user,
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "PreferredAuthentications=keyboard-interactive",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "NumberOfPasswordPrompts=1",
                "-o",
                "ConnectTimeout=10"));
        cmd.addAll(extra);
        cmd.add("127.0.0.1");
        if (command != null) {
            cmd.add(command);
        }
        Path out = Files.createTempFile("ssh-out", ".txt");
        Path err = Files.createTempFile("ssh-err", ".txt");
        Process p = withToken(
                        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()), token)
                .start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        OUTPUTS.put(p, new Path[] {out, err});
        return p;
    }

    /** The token in the environment (never argv), answered through the askpass script. */
    public static ProcessBuilder withToken(ProcessBuilder pb, String token) throws IOException {
        pb.environment().put("PORTCULLIS_TOKEN", token);
        pb.environment().put("SSH_ASKPASS", askpass().toString());
        pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
        pb.environment().remove("DISPLAY");
        return pb;
    }

    private static final java.util.Map<Process, Path[]> OUTPUTS = new java.util.concurrent.ConcurrentHashMap<>();

    static Result await(Process p, long seconds) throws Exception {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ssh did not finish within " + seconds + "s: " + output(p)[1]);
        }
        String[] o = output(p);
        return new Result(p.exitValue(), o[0], o[1]);
    }

    static String[] output(Process p) throws IOException {
        Path[] files = OUTPUTS.get(p);
        return new String[] {Files.readString(files[0]), Files.readString(files[1])};
    }

    /** {@code sftp} or {@code scp} (tool) toward the proxy, with the same login as {@link #start}. */
    static Result transfer(String tool, int port, String user, String token, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                tool,
                "-P",
                String.valueOf(port),
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "PreferredAuthentications=keyboard-interactive",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "NumberOfPasswordPrompts=1",
                "-o",
                "ConnectTimeout=10",
                "-o",
                "User=" + user));
        cmd.addAll(args);
        Path out = Files.createTempFile("sftp-out", ".txt");
        Path err = Files.createTempFile("sftp-err", ".txt");
        Process p = withToken(
                        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()), token)
                .start();
        p.getOutputStream().close();
        OUTPUTS.put(p, new Path[] {out, err});
        return await(p, 60);
    }

    static Result run(int port, String user, String token, String command) throws Exception {
        return await(start(port, user, token, List.of(), command), 30);
    }
}
