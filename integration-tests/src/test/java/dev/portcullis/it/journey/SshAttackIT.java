package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15 §2 as an attacker with an SSH read grant (and a write grant) would try it, with the real OpenSSH client
 * through session-proxy to the real OpenSSH sshd ({@link SshTarget}) and the default policy pack: every attempt is
 * refused, and the files it aims at are unchanged afterwards (compared byte for byte with their permissions). Then,
 * as if policy had allowed everything, the same writes run straight on the target with the connection's read
 * credentials, which the target itself refuses. In each command {@code @} stands for this test's directory under
 * the target's {@code srv/}.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SshAttackIT {

    static final String AGENT = "ssh-attacker";
    static final String CONNECTION = PortcullisSuite.SSH;
    static final String LOGIN = AGENT + "@" + CONNECTION;
    static final String DENIED = "Portcullis: denied by policy";
    static final String READ_ONLY = "this token grants read access only";
    static final String UNPARSED = "the command line could not be parsed";
    static final Pattern REVIEW_NOTICE = Pattern.compile("waiting for approval, review ([0-9a-f-]{36})");

    PortcullisSuite suite;
    Broker broker;
    Keycloak keycloak;
    Ssh ssh;
    SshTarget target;
    Path arena;
    String readToken;
    String writeToken;

    @BeforeAll
    void setUp(PortcullisSuite suite) throws IOException {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.target = suite.sshTarget();
        this.ssh = new Ssh(suite.proxySshPort(), suite.home().resolve("clients"));
        String secret = broker.createAgent(AGENT).clientSecret();
        broker.grant(AGENT, CONNECTION, "read");
        broker.grant(AGENT, CONNECTION, "write");
        String agentToken = keycloak.agent(AGENT, secret);
        readToken = broker.sessionToken(agentToken, CONNECTION, "read");
        writeToken = broker.sessionToken(agentToken, CONNECTION, "write");

        arena = target.srv().resolve("attack");
        Files.createDirectories(arena.resolve("victim"));
        Files.createDirectories(arena.resolve(".ssh"));
        Files.writeString(arena.resolve("victim/keep.txt"), "keep me\n");
        Files.writeString(arena.resolve("victim/a|b"), "a file whose name holds a pipe\n");
        Files.writeString(arena.resolve("sortme.txt"), "b\na\n");
        Files.writeString(arena.resolve(".ssh/authorized_keys"), "# no key\n");
    }

    /** Under a read grant: the issue's examples, each in several spellings, and what a read grant must not do. */
    static Stream<String> readGrantAttacks() {
        return Stream.of(
                "find @/victim -de''lete",
                "find @/victim -de\"\"lete",
                "find @/victim -\\delete",
                "find @/victim -delete",
                "find @/victim -name '*|*' -exec rm -rf {} +",
                "find @/victim -execdir rm {} ;",
                "find @/victim -ok rm {} ;",
                "find @ -fprint @/victim/list",
                "find @ -fls @/victim/list",
                "sort -o @/victim/out @/sortme.txt",
                "sort -uo @/victim/out @/sortme.txt",
                "sort --o=@/victim/out @/sortme.txt",
                "sort --outp @/victim/out @/sortme.txt",
                "sort --outp=@/.ssh/authorized_keys @/sortme.txt",
                "/usr/bin/sort --output=@/victim/keep.txt @/sortme.txt",
                "sort -S 1K --compress-program=sh @/sortme.txt",
                "sort --comp=sh -S 1K @/sortme.txt",
                "'sort' '-o' @/victim/out @/sortme.txt",
                "cat @/sortme.txt > @/victim/out",
                "cat @/sortme.txt >> @/victim/keep.txt",
                "cat @/sortme.txt 2>@/victim/err",
                "ls; rm -rf @/victim",
                "ls && rm -rf @/victim",
                "ls\nrm -rf @/victim",
                "cat $(rm -rf @/victim)",
                "cat `rm -rf @/victim`",
                "cat \"$(rm -rf @/victim)\"",
                "cat <(rm -rf @/victim)",
                "rm -rf @/victim",
                "/bin/rm -rf @/victim",
                "r''m -rf @/victim",
                "awk 'BEGIN{system(\"rm -rf @/victim\")}'",
                "sed -i d @/victim/keep.txt",
                "xargs rm -rf <<< @/victim",
                "env rm -rf @/victim",
                "timeout 5 rm -rf @/victim",
                "nice rm -rf @/victim",
                "tee @/victim/keep.txt",
                "cp @/sortme.txt @/victim/keep.txt",
                "less @/victim/keep.txt",
                "sh -c 'rm -rf @/victim'",
                "cat @/victim/keep.txt & rm -rf @/victim",
                "touch @/victim/new",
                "X=1 rm -rf @/victim",
                "cat 'unterminated");
    }

    @ParameterizedTest
    @MethodSource("readGrantAttacks")
    void aReadGrantIsRefusedAndTheTargetIsUnchanged(String template) {
        String command = template.replace("@", arena.toString());
        Map<String, String> before = snapshot();
        Client.Result r = ssh.run(LOGIN, readToken, command);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains(DENIED), r::toString);
        assertTrue(r.err().contains(READ_ONLY) || r.err().contains(UNPARSED), r::toString);
        assertEquals(before, snapshot(), "the target changed");
    }

    @Test
    void aReadGrantRunsReadOnlyCommandsAsTheReadAccount() {
        Client.Result find = ssh.run(LOGIN, readToken, "find " + arena + "/victim -name '*|*' -print");
        assertEquals(0, find.exit(), find::toString);
        assertTrue(find.out().contains("a|b"), find::toString);
        Client.Result sorted = ssh.run(LOGIN, readToken, "sort -r " + arena + "/sortme.txt | head -n 1");
        assertEquals("b", sorted.out().strip(), sorted::toString);
        Client.Result id = ssh.run(LOGIN, readToken, "id -un");
        assertEquals(0, id.exit(), id::toString);
        assertEquals(target.readUser(), id.out().strip(), "a read session logs in with the read credentials");
    }

    @Test
    void aReadGrantGetsNoTerminalAndNoShell() {
        Map<String, String> before = snapshot();
        // OpenSSH treats a refused PTY it was told to get (-tt) as fatal: nothing runs
        Client.Result pty = ssh.start(LOGIN, readToken, "-tt", null).await(Duration.ofSeconds(60));
        assertEquals(255, pty.exit(), pty::toString);
        assertTrue(pty.err().contains("PTY allocation request failed"), pty::toString);
        Client.Result shell = ssh.start(LOGIN, readToken, "-T", null).await(Duration.ofSeconds(60));
        assertEquals(255, shell.exit(), shell::toString);
        assertTrue(shell.err().contains("shell request failed"), shell::toString);
        Client.Result exec =
                ssh.start(LOGIN, readToken, "-tt", "echo ran-with-a-terminal").await(Duration.ofSeconds(60));
        assertEquals(255, exec.exit(), exec::toString);
        assertTrue(exec.err().contains("PTY allocation request failed"), exec::toString);
        assertFalse(exec.out().contains("ran-with-a-terminal"), exec::toString);
        assertEquals(before, snapshot());
    }

    /** Under a write grant: the rules for rm -rf, mkfs and sudo see the program by basename after parsing. */
    static Stream<List<String>> writeGrantAttacks() {
        String rm = "recursive removal of / or a home directory is never allowed";
        String disk = "formatting or overwriting a disk is never allowed";
        // --interactive=always and stdin from /dev/null: should a rule ever fail, rm asks, reads EOF and removes
        // nothing
        return Stream.of(
                List.of("/bin/rm -rf --interactive=always /* </dev/null", rm),
                List.of("rm -rf --interactive=always '/'* </dev/null", rm),
                List.of("\\rm -fr --interactive=always \"/\"* </dev/null", rm),
                List.of("/usr/bin/env /bin/rm -rf --interactive=always /* </dev/null", rm),
                List.of("sh -c \"/bin/rm -rf --interactive=always /* </dev/null\"", rm),
                List.of("/sbin/mkfs.ext4 -n /dev/null", disk),
                List.of("/usr/sbin/mkfs -t ext4 -n /dev/null", disk));
    }

    @ParameterizedTest
    @MethodSource("writeGrantAttacks")
    void aWriteGrantIsRefusedByTheRuleForTheProgram(List<String> attack) {
        Map<String, String> before = snapshot();
        Client.Result r = ssh.run(LOGIN, writeToken, attack.get(0));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains(DENIED), r::toString);
        assertTrue(r.err().contains(attack.get(1)), r::toString);
        assertEquals(before, snapshot(), "the target changed");
        assertTrue(Files.isDirectory(Path.of("/usr/bin")) && Files.exists(Path.of("/etc/passwd")));
    }

    @Test
    void sudoByItsFullPathIsReviewedAndRunsOnlyIfApproved() {
        Client client = ssh.start(LOGIN, writeToken, "/usr/bin/sudo -n touch " + arena + "/victim/sudo");
        String notice =
                client.awaitStderr(e -> REVIEW_NOTICE.matcher(e).find(), Duration.ofSeconds(60), "the review notice");
        Matcher m = REVIEW_NOTICE.matcher(notice);
        assertTrue(m.find());
        String reviewId = m.group(1);
        Poll.until("review " + reviewId + " at the broker", Duration.ofSeconds(30), () -> {
            Http.Response r = broker.review(Keycloak.APPROVER, reviewId);
            return r.status() == 200 ? r.json() : null;
        });
        assertTrue(Files.notExists(arena.resolve("victim/sudo")), "sudo ran while held");
        broker.decideReview(keycloak.user(Keycloak.APPROVER), reviewId, false).expect(200);
        Client.Result r = client.await(Duration.ofSeconds(60));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(Files.notExists(arena.resolve("victim/sudo")), "a denied sudo ran");
    }

    /** What policy allowing everything would let through: the read account itself cannot write. */
    static Stream<String> writesTheReadAccountCannotDo() {
        return Stream.of(
                "rm -rf @/victim",
                "find @/victim -delete",
                "touch @/victim/new",
                "sort -o @/victim/keep.txt @/sortme.txt",
                "sort --outp=@/.ssh/authorized_keys @/sortme.txt",
                "cp @/sortme.txt @/victim/keep.txt",
                "echo x >> @/victim/keep.txt",
                "mv @/victim/keep.txt @/victim/moved",
                "chmod 777 @/victim",
                "ln -s /etc/passwd @/victim/link",
                "mkdir @/victim/dir",
                "rm -rf " + "@/../releases");
    }

    @ParameterizedTest
    @MethodSource("writesTheReadAccountCannotDo")
    void theReadCredentialsCannotChangeTheTargetEvenIfPolicyAllowed(String template) throws Exception {
        assertTrue(
                target.readAccountIsSeparate(),
                "the read credentials log in as " + target.readUser() + ", the write account: run the journey tests as"
                        + " root, or create the unprivileged account " + SshTarget.READ_USER + " first");
        Client.Result reads = direct("cat " + arena + "/victim/keep.txt");
        assertEquals("keep me", reads.out().strip(), () -> "the read account cannot even read the arena: " + reads);
        String command = template.replace("@", arena.toString());
        Map<String, String> before = snapshot();
        Client.Result r = direct(command);
        assertNotEquals(0, r.exit(), r::toString);
        assertTrue(r.err().contains("Permission denied") || r.err().contains("Operation not permitted"), r::toString);
        assertEquals(before, snapshot(), "the read account changed the target");
    }

    /** The command straight on the target with the connection's read credentials, as the proxy would relay it. */
    private Client.Result direct(String command) {
        ProcessBuilder pb = new ProcessBuilder(List.of(
                "ssh",
                "-T",
                "-F",
                "/dev/null",
                "-p",
                Integer.toString(target.port()),
                "-i",
                target.readKey().toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "UserKnownHostsFile=" + target.knownHosts(),
                "-o",
                "LogLevel=ERROR",
                "-l",
                target.readUser(),
                "127.0.0.1",
                command));
        pb.environment().remove("SSH_AUTH_SOCK");
        return Client.start("ssh", pb).await(Duration.ofSeconds(60));
    }

    /** Every file and directory of the arena and the releases, with its permissions and a hash of its bytes. */
    private Map<String, String> snapshot() {
        Map<String, String> out = new TreeMap<>();
        for (Path root : List.of(arena, target.releases())) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.toList()) {
                    String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                    out.put(p.toString(), perms + (Files.isRegularFile(p) ? " " + sha256(Files.readAllBytes(p)) : ""));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
