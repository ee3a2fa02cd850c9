package dev.portcullis.proxy.ssh.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.proxy.ssh.shell.CommandAnalysis.Command;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The read-only allow-list per program and option, and the commands deny rules see (by basename, after parsing). */
class CommandAnalysisTest {

    static Stream<String> readOnly() {
        return Stream.of(
                "cat /srv/customers.txt",
                "ls -la /srv",
                "ls -la /srv | grep txt | wc -l",
                "/bin/cat /etc/hostname",
                "/usr/bin/head -n 5 /srv/customers.txt",
                "grep -r 'a|b' /srv 2>/dev/null",
                "tail -n 20 /var/log/syslog 2>&1 | grep -v debug",
                "find /srv -name '*.txt' -type f",
                "find /srv -newer /srv/x -print",
                "find . -name \"*|*\" -print0",
                "sort -k 2 -t ';' /srv/customers.txt",
                "sort -S 1K -u /srv/customers.txt",
                "sort --reverse --unique /srv/x",
                "cat /var/log/*.log",
                "ls /srv/releases/*",
                "ls ./*",
                "cat < /srv/customers.txt",
                "df -h; uptime && id || whoami",
                "cat /srv/a\ncat /srv/b",
                "echo 'rm -rf /' '$HOME'",
                "test -f /srv/x && echo yes",
                "jq . /srv/x.json",
                "file -b /srv/x",
                "sha256sum /srv/x >/dev/null",
                "grep -c x /srv/x # a comment; rm -rf /",
                "ps aux | grep -- -o",
                "du -sh /srv");
    }

    static Stream<String> notReadOnly() {
        return Stream.of(
                // the examples and variants
                "find /tmp/x -de''lete",
                "find /tmp/x -de\"\"lete",
                "find /tmp/x -\\delete",
                "find /tmp/x -delete",
                "find . -name '*|*' -exec rm -rf {} +",
                "find . -execdir rm {} ;",
                "find . -ok rm {} ;",
                "find . -okdir rm {} ;",
                "find . -fprint /tmp/out",
                "find . -fprint0 /tmp/out",
                "find . -fprintf /tmp/out %p",
                "find . -fls /tmp/out",
                "/usr/bin/find . -delete",
                "find . -name x -de'l'ete",
                "sort -o FILE",
                "sort -oFILE /srv/x",
                "sort -uo FILE /srv/x",
                "sort -ro FILE /srv/x",
                "sort --o=FILE",
                "sort --ou=FILE /srv/x",
                "sort --outp FILE",
                "sort --outp=.ssh/authorized_keys",
                "sort --output=/tmp/x /srv/x",
                "sort -S 1K --compress-program=sh",
                "sort --comp=sh /srv/x",
                "sort --c=sh /srv/x",
                "sort --compress-prog sh /srv/x",
                "sort -- -o x",
                "'sort' -o x /srv/x",
                "s''ort -o x",
                "/usr/bin/sort -o x /srv/x",
                "cat /srv/x | sort -o /tmp/y",
                "file -C -m /tmp/magic",
                "file --compile",
                // wrappers and programs that run code or write
                "xargs rm < /srv/list",
                "env rm -rf /srv",
                "nice cat /srv/x",
                "timeout 5 cat /srv/x",
                "nohup cat /srv/x",
                "sudo cat /srv/x",
                "tar -cf /tmp/x.tar /srv",
                "tar -tf /srv/x.tar",
                "awk '{print}' /srv/x",
                "awk 'BEGIN{system(\"id\")}'",
                "sed -n 1p /srv/x",
                "sed 's/a/b/w /tmp/x' /srv/x",
                "less /srv/x",
                "more /srv/x",
                "man ls",
                "vi /srv/x",
                "sh -c 'cat /srv/x'",
                "bash -c id",
                "tee /tmp/x",
                "uniq /srv/x /tmp/y",
                "cp /srv/x /tmp/y",
                "rm -rf /tmp/x",
                "./cat /srv/x",
                "/tmp/cat /srv/x",
                "/usr/bin/../bin/rm x",
                // shell features that are not literal
                "cat $HOME/x",
                "cat \"$HOME/x\"",
                "cat ${HOME}",
                "cat $(echo /srv/x)",
                "cat `echo /srv/x`",
                "cat <(echo x)",
                "echo $((1+2))",
                "cat ~/x",
                "cat ~root/x",
                "cat /srv/{a,b}",
                "echo $'\\x41'",
                "cat *",
                "cat *.txt",
                "ls -- *",
                "cat ?x",
                "cat [a-z]*",
                "find * -print",
                "c*t /srv/x",
                // redirections, background, compound commands, assignments
                "cat /srv/x > /tmp/y",
                "cat /srv/x >> /tmp/y",
                "cat /srv/x >| /tmp/y",
                "cat /srv/x 2>/tmp/err",
                "cat /srv/x &>/dev/null",
                "cat <> /srv/x",
                "cat < /dev/tcp/10.0.0.1/80",
                "cat <<EOF\nx\nEOF",
                "cat <<EOF\nnever ended",
                "cat <<< x",
                "> /srv/x",
                "cat /srv/x &",
                "cat /srv/x & cat /srv/y",
                "(cat /srv/x)",
                "{ cat /srv/x; }",
                "if true; then cat /srv/x; fi",
                "for f in /srv/x; do cat $f; done",
                "while true; do cat /srv/x; done",
                "case x in x) cat /srv/x;; esac",
                "[[ -f /srv/x ]]",
                "LD_PRELOAD=/tmp/x.so cat /srv/x",
                "PATH=/tmp cat /srv/x",
                "cat 'unterminated",
                "f() { cat /srv/x; }",
                "((x=1))",
                "coproc cat");
    }

    @ParameterizedTest
    @MethodSource("readOnly")
    void readOnlyLinesAreReadOnly(String line) {
        CommandAnalysis a = CommandAnalysis.of(line);
        assertThat(a.notReadOnly()).as("reasons for %s", line).isEmpty();
        assertThat(a.readOnly()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("notReadOnly")
    void everythingElseIsNot(String line) {
        CommandAnalysis a = CommandAnalysis.of(line);
        assertThat(a.readOnly()).as("read-only verdict of %s", line).isFalse();
        assertThat(a.notReadOnly()).isNotEmpty();
    }

    static Stream<Arguments> reasons() {
        return split(
                "find /tmp/x -de''lete | find -delete",
                "sort --o=FILE | sort --output (as --o)",
                "sort --outp FILE | sort --output (as --outp)",
                "sort -S 1K --compress-program=sh | sort --compress-program",
                "sort -uo FILE x | sort -o (in -uo)",
                "cat $(id) | not literal: $(id) (command substitution)",
                "cat /srv/x & | runs in the background (&)",
                "/tmp/cat x | not a read-only program: /tmp/cat",
                "cat /srv/x > /tmp/y | redirection >/tmp/y",
                "cat * | not literal: * (glob that may expand to an option)");
    }

    @ParameterizedTest
    @MethodSource("reasons")
    void saysWhy(String line, String reason) {
        assertThat(CommandAnalysis.of(line).notReadOnly()).contains(reason);
    }

    static Stream<Arguments> commands() {
        return split(
                "/bin/rm -rf /* | rm | -rf,/*",
                "rm -rf '/'* | rm | -rf,/*",
                "rm -rf \"/\"* | rm | -rf,/*",
                "r''m -r -f / | rm | -r,-f,/",
                "\\rm -rf / | rm | -rf,/",
                "/usr/bin/sudo ls | sudo | ls",
                "/sbin/mkfs.ext4 /dev/sda1 | mkfs.ext4 | /dev/sda1",
                "sudo -u root /bin/rm -rf / | rm | -rf,/",
                "sudo -- rm -rf / | rm | -rf,/",
                "env -i X=1 /bin/rm -rf /* | rm | -rf,/*",
                "timeout -s KILL 5 rm -rf / | rm | -rf,/",
                "nice -n 5 mkfs.ext4 /dev/sdb | mkfs.ext4 | /dev/sdb",
                "xargs -0 rm -rf < list | rm | -rf",
                "sh -c 'rm -rf /*' | rm | -rf,/*",
                "bash -lc \"sudo rm -rf /\" | rm | -rf,/",
                "echo $(rm -rf /) | rm | -rf,/",
                "echo `/bin/rm -rf /` | rm | -rf,/",
                "cat <(rm -rf /) | rm | -rf,/",
                "X=1 /usr/sbin/mkfs -t ext4 /dev/sdc | mkfs | -t,ext4,/dev/sdc",
                "true && /bin/rm -rf / | rm | -rf,/",
                "find . -exec /bin/rm -rf / \\; | rm | -rf,/",
                "find /srv -name '*|*' -execdir sudo mkfs.ext4 {} + | mkfs.ext4 | {}",
                "xargs -I{} rm -rf {} | rm | -rf,{}",
                "if true; then rm -rf /; fi | rm | -rf,/",
                "cat <<EOF\n$(rm -rf /)\nEOF | rm | -rf,/");
    }

    /** Rows of {@code a | b | c}; a row's first column may hold a newline. */
    private static Stream<Arguments> split(String... rows) {
        return Stream.of(rows).map(r -> Arguments.of((Object[]) r.split(" \\| ")));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void rulesSeeEveryProgramByItsBasename(String line, String program, String args) {
        List<Command> commands = CommandAnalysis.of(line).commands();
        assertThat(commands).as("commands of %s", line).anySatisfy(c -> {
            assertThat(c.program()).isEqualTo(program);
            assertThat(String.join(",", c.args())).isEqualTo(args);
        });
    }

    @Test
    void theShellObjectForPolicy() {
        var json = CommandAnalysis.of("/bin/rm -rf '/'* 2>/dev/null").json();
        assertThat(json).containsEntry("parsed", true).containsEntry("read_only", false);
        assertThat(json.get("programs")).isEqualTo(List.of("rm"));
        @SuppressWarnings("unchecked")
        var first = ((List<java.util.Map<String, Object>>) json.get("commands")).getFirst();
        assertThat(first)
                .containsEntry("program", "rm")
                .containsEntry("path", "/bin/rm")
                .containsEntry("args", List.of("-rf", "/*"))
                .containsEntry("literal", false)
                .containsEntry("redirects", List.of("2>/dev/null"));
    }

    @Test
    void anUnparsableLineSaysWhy() {
        var json = CommandAnalysis.of("cat 'x").json();
        assertThat(json).containsEntry("parsed", false).containsEntry("error", "unterminated single quote");
    }
}
