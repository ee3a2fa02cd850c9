package dev.portcullis.proxy.ssh.shell;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Programs that run another program given as their arguments ({@code sudo rm -rf /}, {@code env X=1 mkfs …},
 * {@code timeout 5 rm …}, {@code xargs rm}) and shells given a script ({@code sh -c 'rm -rf /'}): where the inner
 * command starts, so the rules for {@code rm}, {@code sudo} or {@code mkfs} see it too. Best effort, for deny rules
 * on grants that may write: a read grant runs no wrapper at all ({@link ReadOnlyPrograms}).
 */
final class Wrappers {

    /**
     * How a wrapper's own arguments are laid out.
     *
     * @param optionsWithArgument its short options that take the next word as their argument
     * @param longWithArgument its long options that take the next word (when written without {@code =})
     * @param positional words after its options that are its own (timeout's duration, chroot's directory)
     * @param assignments whether NAME=value words before the program are its own (env)
     */
    private record Layout(
            String optionsWithArgument, Set<String> longWithArgument, int positional, boolean assignments) {}

    private static final Map<String, Layout> WRAPPERS = Map.ofEntries(
            Map.entry(
                    "sudo",
                    new Layout(
                            "CDghpRrTtUu",
                            Set.of(
                                    "--user",
                                    "--group",
                                    "--host",
                                    "--prompt",
                                    "--chdir",
                                    "--chroot",
                                    "--role",
                                    "--type",
                                    "--other-user",
                                    "--close-from",
                                    "--command-timeout"),
                            0,
                            true)),
            Map.entry("doas", new Layout("Cu", Set.of(), 0, false)),
            Map.entry("pkexec", new Layout("", Set.of("--user"), 0, false)),
            Map.entry("env", new Layout("uCS", Set.of("--unset", "--chdir", "--split-string"), 0, true)),
            Map.entry("nice", new Layout("n", Set.of("--adjustment"), 0, false)),
            Map.entry("ionice", new Layout("cnp", Set.of("--class", "--classdata", "--pid"), 0, false)),
            Map.entry("nohup", new Layout("", Set.of(), 0, false)),
            Map.entry("setsid", new Layout("", Set.of(), 0, false)),
            Map.entry("time", new Layout("fo", Set.of("--format", "--output"), 0, false)),
            Map.entry("command", new Layout("", Set.of(), 0, false)),
            Map.entry("exec", new Layout("a", Set.of(), 0, false)),
            Map.entry("builtin", new Layout("", Set.of(), 0, false)),
            Map.entry("stdbuf", new Layout("ioe", Set.of("--input", "--output", "--error"), 0, false)),
            Map.entry("timeout", new Layout("ks", Set.of("--kill-after", "--signal"), 1, false)),
            Map.entry("chroot", new Layout("", Set.of("--userspec", "--groups"), 1, false)),
            Map.entry(
                    "xargs",
                    new Layout(
                            "aEeIiLlnPsd",
                            Set.of(
                                    "--arg-file",
                                    "--eof",
                                    "--replace",
                                    "--max-lines",
                                    "--max-args",
                                    "--max-procs",
                                    "--max-chars",
                                    "--delimiter",
                                    "--process-slot-var"),
                            0,
                            false)),
            Map.entry("flock", new Layout("wEc", Set.of("--timeout", "--conflict-exit-code", "--command"), 1, false)),
            Map.entry("watch", new Layout("nd", Set.of("--interval"), 0, false)),
            Map.entry("strace", new Layout("eoOpPsSuE", Set.of(), 0, false)),
            Map.entry("busybox", new Layout("", Set.of(), 0, false)));

    /** Shells whose {@code -c} argument is a script. */
    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "busybox-sh");

    private Wrappers() {}

    /** The inner command's words ({@code sudo -u root rm -rf /} gives {@code rm -rf /}), when {@code words} run one. */
    static Optional<List<String>> inner(String program, List<String> words) {
        Layout l = WRAPPERS.get(program);
        if (l == null) {
            return Optional.empty();
        }
        int k = 1;
        int positional = l.positional();
        while (k < words.size()) {
            String w = words.get(k);
            if (w.equals("--")) {
                k++;
                break;
            }
            if (w.startsWith("--") && w.length() > 2) {
                k += w.indexOf('=') < 0 && l.longWithArgument().contains(w) ? 2 : 1;
            } else if (w.startsWith("-") && w.length() > 1) {
                char last = w.charAt(w.length() - 1);
                int withArg = firstWithArgument(w, l.optionsWithArgument());
                // -uroot: the argument is attached; -u root: it is the next word
                k += withArg >= 0
                                && withArg == w.length() - 1
                                && l.optionsWithArgument().indexOf(last) >= 0
                        ? 2
                        : 1;
            } else if (l.assignments() && w.indexOf('=') > 0) {
                k++;
            } else if (positional > 0) {
                positional--;
                k++;
            } else {
                break;
            }
        }
        return k < words.size() ? Optional.of(words.subList(k, words.size())) : Optional.empty();
    }

    private static int firstWithArgument(String cluster, String withArgument) {
        for (int k = 1; k < cluster.length(); k++) {
            if (withArgument.indexOf(cluster.charAt(k)) >= 0) {
                return k;
            }
        }
        return -1;
    }

    /** The commands of find's {@code -exec}, {@code -execdir}, {@code -ok} and {@code -okdir}, up to {@code ;} or {@code +}. */
    static List<List<String>> findExecs(String program, List<String> words) {
        if (!program.equals("find")) {
            return List.of();
        }
        List<List<String>> out = new java.util.ArrayList<>();
        for (int k = 1; k < words.size(); k++) {
            if (Set.of("-exec", "-execdir", "-ok", "-okdir").contains(words.get(k))) {
                int end = k + 1;
                while (end < words.size()
                        && !words.get(end).equals(";")
                        && !words.get(end).equals("+")) {
                    end++;
                }
                if (end > k + 1) {
                    out.add(words.subList(k + 1, end));
                }
                k = end;
            }
        }
        return out;
    }

    /** The script of {@code sh -c SCRIPT} (and {@code su -c SCRIPT}), when {@code words} are one. */
    static Optional<String> script(String program, List<String> words) {
        if (!SHELLS.contains(program) && !program.equals("su")) {
            return Optional.empty();
        }
        for (int k = 1; k < words.size(); k++) {
            String w = words.get(k);
            if (w.equals("--command") || w.startsWith("-") && !w.startsWith("--") && w.indexOf('c') > 0) {
                return k + 1 < words.size() ? Optional.of(words.get(k + 1)) : Optional.empty();
            }
            if (w.startsWith("--command=")) {
                return Optional.of(w.substring("--command=".length()));
            }
        }
        return Optional.empty();
    }
}
