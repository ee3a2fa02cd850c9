package dev.portcullis.it.journey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real OpenSSH {@code ssh} client pointed at session-proxy's SSH listener, as
 * session-proxy/README.md tells an agent to use it: user {@code <agent>@<connection>}, the session
 * token answered to the proxy's keyboard-interactive prompts. ssh cuts every answer at 1023
 * characters and Keycloak tokens are longer, so the proxy asks for the token in 4 parts of at most
 * 1000 characters, and an {@code SSH_ASKPASS} helper answers "(part n of 4)" with the n-th 1000
 * characters of {@code $PORTCULLIS_TOKEN}. The token is in ssh's environment, never on a command line.
 */
final class Ssh {

    private static final String ASKPASS = """
            #!/bin/sh
            # SSH_ASKPASS for the Portcullis SSH gateway: the prompt names the part it wants ("part 2 of 4");
            # print that slice of $PORTCULLIS_TOKEN (1000 characters per part, nothing when it is past the end).
            n=$(printf '%s\\n' "$1" | sed -n 's/.*(part \\([1-9]\\) of [1-9]).*/\\1/p')
            awk -v n="${n:-1}" 'BEGIN { t = ENVIRON["PORTCULLIS_TOKEN"]; printf "%s", substr(t, (n - 1) * 1000 + 1, 1000) }'
            """;

    private final int port;
    private final Path askpass;

    /** {@code port}: the proxy's SSH listener; the helper script is written to {@code dir}. */
    Ssh(int port, Path dir) {
        this.port = port;
        try {
            Files.createDirectories(dir);
            this.askpass = dir.resolve("portcullis-askpass.sh");
            Files.writeString(askpass, ASKPASS);
            if (!askpass.toFile().setExecutable(true, true)) {
                throw new IOException("cannot make " + askpass + " executable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code ssh <user>@127.0.0.1 <command>} through the proxy, logging in with {@code token}. */
    Client start(String user, String token, String command) {
        return start(user, token, "-T", command);
    }

    /**
     * As {@link #start(String, String, String)} with ssh's terminal option {@code tty} ({@code -T}: none, {@code
     * -tt}: a PTY whatever stdin is); a null {@code command} asks for an interactive shell.
     */
    Client start(String user, String token, String tty, String command) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "ssh",
                tty,
                "-p",
                Integer.toString(port),
                "-l",
                user,
                // the proxy's host key is generated per run: nothing to pin, nothing to remember
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "BatchMode=no",
                "-o",
                "PreferredAuthentications=keyboard-interactive",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "NumberOfPasswordPrompts=1",
                "-o",
                "ConnectTimeout=15",
                "-o",
                "ServerAliveInterval=5",
                "-F",
                "/dev/null",
                "127.0.0.1"));
        if (command != null) {
            args.add(command);
        }
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().put("PORTCULLIS_TOKEN", token);
        pb.environment().put("SSH_ASKPASS", askpass.toString());
        pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
        pb.environment().remove("DISPLAY");
        pb.environment().remove("SSH_AUTH_SOCK");
        return Client.start("ssh", pb);
    }

    /** Runs one command through the proxy and waits for ssh to exit. */
    Client.Result run(String user, String token, String command) {
        return start(user, token, command).await(Duration.ofSeconds(60));
    }
}
