package dev.portcullis.proxy.ssh.shell;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The programs a {@code read} grant may run over SSH, each with the options that would make it write or run other
 * code (docs/architecture.md "Policy", SSH). Checked on the words after quote removal, so {@code -de''lete} is
 * {@code -delete}. Conservative on purpose, since the option parsers are the programs' own:
 *
 * <ul>
 *   <li>a long option is refused when what is written ({@code --outp}, {@code --o=FILE}) is a prefix of a refused
 *       one, as GNU getopt_long accepts any unambiguous abbreviation (an ambiguous one makes the program fail);
 *   <li>a short option cluster is refused when it holds a refused letter anywhere ({@code -uo}, {@code -So}),
 *       even where the letter would be another option's argument;
 *   <li>{@code --} is not taken as the end of options (it may be an option's argument), so an operand spelled like
 *       a refused option is refused too.
 * </ul>
 *
 * Programs not listed (pagers, editors, {@code awk}, {@code sed}, {@code tar}, {@code xargs}, {@code env},
 * {@code nice}, {@code timeout}, {@code sudo}, shells, …) are refused: they run commands, write files, or wrap
 * another program.
 */
final class ReadOnlyPrograms {

    /**
     * What makes one program write or run code.
     *
     * @param shortOptions refused short option letters
     * @param longOptions refused long option names (without {@code --})
     * @param words refused words wherever they appear (find's primaries are whole words, never abbreviated)
     */
    record Spec(String shortOptions, List<String> longOptions, Set<String> words) {
        static final Spec ANY = new Spec("", List.of(), Set.of());
    }

    /** The directories a read grant's program may be named by (else a bare name, found on the account's PATH). */
    private static final List<String> SYSTEM_DIRS =
            List.of("/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/");

    private static final Spec FIND = new Spec(
            "",
            List.of(),
            Set.of("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprint0", "-fprintf", "-fls"));

    private static final Map<String, Spec> PROGRAMS = Map.ofEntries(
            Map.entry("find", FIND),
            // -o FILE writes the output; --compress-program runs a program on temporary files
            Map.entry("sort", new Spec("o", List.of("output", "compress-program"), Set.of())),
            // -C / --compile writes a compiled magic file
            Map.entry("file", new Spec("C", List.of("compile"), Set.of())),
            Map.entry("cat", Spec.ANY),
            Map.entry("ls", Spec.ANY),
            Map.entry("head", Spec.ANY),
            Map.entry("tail", Spec.ANY),
            Map.entry("grep", Spec.ANY),
            Map.entry("egrep", Spec.ANY),
            Map.entry("fgrep", Spec.ANY),
            Map.entry("zcat", Spec.ANY),
            Map.entry("zgrep", Spec.ANY),
            Map.entry("wc", Spec.ANY),
            Map.entry("stat", Spec.ANY),
            Map.entry("du", Spec.ANY),
            Map.entry("df", Spec.ANY),
            Map.entry("ps", Spec.ANY),
            Map.entry("uptime", Spec.ANY),
            Map.entry("whoami", Spec.ANY),
            Map.entry("id", Spec.ANY),
            Map.entry("uname", Spec.ANY),
            Map.entry("printenv", Spec.ANY),
            Map.entry("pwd", Spec.ANY),
            Map.entry("echo", Spec.ANY),
            Map.entry("true", Spec.ANY),
            Map.entry("false", Spec.ANY),
            Map.entry("cut", Spec.ANY),
            Map.entry("tr", Spec.ANY),
            Map.entry("md5sum", Spec.ANY),
            Map.entry("sha1sum", Spec.ANY),
            Map.entry("sha256sum", Spec.ANY),
            Map.entry("sha512sum", Spec.ANY),
            Map.entry("readlink", Spec.ANY),
            Map.entry("realpath", Spec.ANY),
            Map.entry("basename", Spec.ANY),
            Map.entry("dirname", Spec.ANY),
            Map.entry("diff", Spec.ANY),
            Map.entry("cmp", Spec.ANY),
            Map.entry("tac", Spec.ANY),
            Map.entry("nl", Spec.ANY),
            Map.entry("column", Spec.ANY),
            Map.entry("jq", Spec.ANY),
            Map.entry("free", Spec.ANY),
            Map.entry("getent", Spec.ANY),
            Map.entry("w", Spec.ANY),
            Map.entry("who", Spec.ANY),
            Map.entry("test", Spec.ANY));

    private ReadOnlyPrograms() {}

    /** The program's rules when {@code path} names an allowed program (bare, or in a system directory). */
    static Optional<Spec> spec(String path) {
        String name = path;
        for (String dir : SYSTEM_DIRS) {
            if (path.startsWith(dir)) {
                name = path.substring(dir.length());
                break;
            }
        }
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(PROGRAMS.get(name));
    }

    /** Why {@code args} make the program not read-only ({@code "sort --output (as --outp)"}), else empty. */
    static Optional<String> refusedOption(String program, Spec spec, List<String> args) {
        for (String a : args) {
            if (spec.words().contains(a)) {
                return Optional.of(program + " " + a);
            }
            if (a.startsWith("--") && a.length() > 2) {
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                for (String refused : spec.longOptions()) {
                    if (!name.isEmpty() && refused.startsWith(name)) {
                        return Optional.of(
                                program + " --" + refused + (name.equals(refused) ? "" : " (as --" + name + ")"));
                    }
                }
            } else if (a.startsWith("-") && a.length() > 1 && !a.startsWith("--")) {
                for (int k = 1; k < a.length(); k++) {
                    if (spec.shortOptions().indexOf(a.charAt(k)) >= 0) {
                        return Optional.of(program + " -" + a.charAt(k) + (a.length() > 2 ? " (in " + a + ")" : ""));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
