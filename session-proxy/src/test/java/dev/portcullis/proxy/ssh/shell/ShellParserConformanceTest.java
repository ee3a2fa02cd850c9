package dev.portcullis.proxy.ssh.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser splits words as bash does: each line runs in a real {@code bash -c} (in an empty directory, so a glob
 * matches nothing and stays as written), where the functions {@code p} and {@code q} print their arguments
 * each followed by byte 2, one record per call ended by byte 1, on fd 3; the parser's commands named {@code p} or {@code q} must have exactly
 * those arguments. Lines bash refuses ({@code bash -n}) must be parse errors too.
 */
class ShellParserConformanceTest {

    private static final String PRELUDE = "exec 3>&1\n"
            // one write per call (atomic on a pipe), so the calls of a pipeline cannot interleave
            + "p() { local r=; for a in \"$@\"; do r+=\"$a\"$'\\2'; done; printf '%s\\1' \"$r\" >&3; }\n"
            + "q() { p \"$@\"; return 1; }\n";

    @TempDir
    static Path empty;

    static Stream<String> literalLines() {
        return Stream.of(
                "p a b c",
                "p   a    b   ",
                "p\ta\t\tb",
                "p 'a b' c",
                "p \"a b\" c",
                "p a\\ b",
                "p 'a'\"b\"c",
                "p \"a\\\"b\"",
                "p \"a\\\\b\"",
                "p \"a\\nb\"",
                "p \"a\\qb\"",
                "p 'a\\'",
                "p a\\\\",
                "p \"\\$x\"",
                "p '$x'",
                "p \\$x",
                "p \"a'b\"",
                "p 'a\"b'",
                "p ''",
                "p \"\"",
                "p a'' ''b",
                "p \"\" \"\" ''",
                "p a#b",
                "p a #b c",
                "p 'a'#b",
                "p \"#a\"",
                "p \\#a",
                "# only a comment\np a",
                "p a;p b",
                "p a&&p b",
                "q a||p b",
                "p a ; p b ;",
                "p a\np b",
                "p a\\\nb",
                "p a \\\n b",
                "p a 2>/dev/null b",
                "p 2>/dev/null a",
                "p a 4</dev/null",
                "p a2>/dev/null",
                "p a>/dev/null b",
                "p a >>/dev/null",
                "p a 2>&1",
                "p a <>/dev/null",
                "p \"a;b\" 'c|d' e\\&f",
                "p a\\|b a\\>b a\\<b",
                "p \"a b\"'c d'e\\ f",
                "p $ a",
                "p \"$\"",
                "p a$",
                "p 'it'\\''s'",
                "p \"x\"y'z'",
                "p \\\" \\'",
                "p \"\\`\"",
                "p \"a\\$b\"",
                "p '*' \\* \"*\" '?' \\? \"[a]\" \\[a]",
                "p a[b",
                "p -- -x --y=z",
                "p x=1 a=b=c",
                "p é ü 漢字",
                "p a!b !a",
                "p { } {} a{b",
                "p ] a]",
                "p 'a\nb'",
                "p \"a\nb\"",
                "p a # comment ; p b",
                "p a &&\np b",
                "q a ||\n\np b",
                "p a <<EOF\nx $y\nEOF\np b",
                "p a <<'EOF'\n$x\nEOF\np b",
                "p a <<-EOF\n\tx\n\tEOF\np b",
                "p a <<E1; p b <<E2\none\nE1\ntwo\nE2\np c",
                "p a <<<word",
                "if p a; then p b; fi",
                "for x in 1; do p a \"x\"; done",
                "{ p a; p b; }",
                "( p a; p b )",
                "! q a",
                "case x in x|y) p a;; esac",
                "case x in (x) p a ;; esac",
                "case x in\n  x)\n    p a\n    ;;\nesac",
                "p a \"\"b\"\"",
                "p 'a'\\''b'\"c\"\\d",
                "p \"\\a\\b\\\\c\"",
                "p --outp=.ssh/authorized_keys -de''lete",
                "p -de\"\"lete -S 1K --compress-program=sh",
                "p rm -rf '/no such'* /nosuch*",
                "p 'a|b' \"c&d\" 'e;f' 'g>h'",
                "p \"(\" ')' \\( \\)",
                "p x\\\n",
                "p \\\n\\\n a");
    }

    /** Lines whose commands may run in any order (pipelines, background): compared as sorted lists. */
    static Stream<String> unorderedLines() {
        return Stream.of("p a | p b", "p a |& p b", "p a|p b|p c", "p a & p b; wait", "p a & wait");
    }

    static Stream<String> syntaxErrors() {
        return Stream.of(
                "p 'a",
                "p \"a",
                "p $(a",
                "p `a",
                "p a |",
                "p a &&",
                "p a ||",
                "; p a",
                "p a ;;",
                "| p a",
                "p a ; ; p b",
                "p a &&& p b",
                "p a >",
                "p a > ; p b",
                "( )",
                "p ${a");
    }

    @ParameterizedTest
    @MethodSource("literalLines")
    void splitsWordsAsBash(String line) throws Exception {
        ShellScript script = ShellParser.parse(line);
        assertThat(script.error()).as("parse error of %s", line).isNull();
        assertThat(calls(script)).as("words of %s", line).isEqualTo(bash(line));
    }

    @ParameterizedTest
    @MethodSource("unorderedLines")
    void findsThePipelinesCommandsAsBash(String line) throws Exception {
        ShellScript script = ShellParser.parse(line);
        assertThat(script.error()).isNull();
        Comparator<List<String>> byText = Comparator.comparing(Object::toString);
        assertThat(calls(script).stream().sorted(byText).toList())
                .isEqualTo(bash(line).stream().sorted(byText).toList());
    }

    @ParameterizedTest
    @MethodSource("syntaxErrors")
    void refusesWhatBashRefuses(String line) throws Exception {
        Process p = new ProcessBuilder("bash", "-n", "-c", line)
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bash -n exit status of %s", line).isNotZero();
        assertThat(ShellParser.parse(line).error())
                .as("parse error of %s", line)
                .isNotNull();
    }

    private static List<List<String>> calls(ShellScript script) {
        List<List<String>> out = new ArrayList<>();
        for (ShellScript.SimpleCommand c : script.commands()) {
            if (c.words().isEmpty()) {
                continue;
            }
            String program = c.words().getFirst().text();
            if (program.equals("p") || program.equals("q")) {
                out.add(c.words().subList(1, c.words().size()).stream()
                        .map(ShellWord::text)
                        .toList());
            }
        }
        return out;
    }

    /** What bash passed to each call of p and q. */
    private static List<List<String>> bash(String line) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", PRELUDE + line)
                .directory(empty.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<List<String>> calls = new ArrayList<>();
        List<String> words = new ArrayList<>();
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        for (byte b : out.toByteArray()) {
            if (b == 2) {
                words.add(word.toString(StandardCharsets.UTF_8));
                word.reset();
            } else if (b == 1) {
                calls.add(List.copyOf(words));
                words.clear();
            } else {
                word.write(b);
            }
        }
        return calls;
    }
}
