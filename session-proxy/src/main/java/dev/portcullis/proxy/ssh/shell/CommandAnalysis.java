package dev.portcullis.proxy.ssh.shell;

import dev.portcullis.proxy.ssh.shell.ShellScript.Redirect;
import dev.portcullis.proxy.ssh.shell.ShellScript.SimpleCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an SSH {@code exec} command line will run, for policy (docs/architecture.md "Policy", SSH): every program
 * by its basename whatever its path, with its words after quote removal, including the commands inside
 * substitutions, behind wrappers ({@code sudo}, {@code env}, {@code timeout}, {@code xargs}, …) and in {@code sh -c}
 * scripts; and whether the whole line is provably read-only ({@link ReadOnlyPrograms}), with the reasons when not.
 *
 * @param script the parse
 * @param commands every command found, outermost first
 * @param readOnly the line runs only allow-listed programs with allowed options, all words literal (or globs that
 *     cannot expand to an option), no redirection but from a file or to {@code /dev/null}, no assignment, no
 *     background, subshell or compound command
 * @param notReadOnly why not, in order (empty when read-only)
 */
public record CommandAnalysis(ShellScript script, List<Command> commands, boolean readOnly, List<String> notReadOnly) {

    /** How many commands one line may hold before it is refused as unanalysable. */
    private static final int MAX_COMMANDS = 256;

    /** Separators and reserved words a read-only line may use. */
    private static final Set<String> READ_ONLY_OPERATORS = Set.of(";", "&&", "||", "|", "|&", "newline", "!");

    /**
     * One command.
     *
     * @param program the basename of its first word ({@code /usr/bin/sudo} is {@code sudo})
     * @param path its first word as written, after quote removal
     * @param args the other words, after quote removal (expansions as written)
     * @param literal every word of it is literal
     * @param via how it is reached: {@code ""} at the top, {@code "sudo"} behind a wrapper, {@code "sh -c"} in a
     *     shell's script, {@code "$()"} in a substitution
     * @param redirects its redirections as {@code op target} ({@code ">/dev/sda"}, {@code "2>&1"})
     */
    public record Command(
            String program, String path, List<String> args, boolean literal, String via, List<String> redirects) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("program", program);
            m.put("path", path);
            m.put("args", args);
            m.put("literal", literal);
            m.put("via", via);
            m.put("redirects", redirects);
            return m;
        }
    }

    public CommandAnalysis {
        commands = List.copyOf(commands);
        notReadOnly = List.copyOf(notReadOnly);
    }

    /** Parses and analyses one {@code exec} command line. */
    public static CommandAnalysis of(String commandLine) {
        ShellScript script = ShellParser.parse(commandLine);
        List<Command> commands = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (!script.parsed()) {
            reasons.add("not parsed: " + script.error());
            return new CommandAnalysis(script, commands, false, reasons);
        }
        collect(script, "", commands, 0);
        if (commands.size() > MAX_COMMANDS) {
            reasons.add("more than " + MAX_COMMANDS + " commands");
        }
        readOnly(script, reasons);
        return new CommandAnalysis(script, commands, reasons.isEmpty(), reasons);
    }

    /** The policy input's {@code shell} object. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("parsed", script.parsed());
        if (!script.parsed()) {
            m.put("error", script.error());
        }
        Set<String> programs = new LinkedHashSet<>();
        List<Map<String, Object>> cmds = new ArrayList<>();
        for (Command c : commands) {
            programs.add(c.program());
            cmds.add(c.json());
        }
        m.put("programs", List.copyOf(programs));
        m.put("commands", cmds);
        m.put("operators", script.operators());
        m.put("read_only", readOnly);
        m.put("not_read_only", notReadOnly);
        return m;
    }

    private static void collect(ShellScript script, String via, List<Command> out, int depth) {
        for (SimpleCommand sc : script.commands()) {
            if (out.size() > MAX_COMMANDS) {
                return;
            }
            List<String> words = new ArrayList<>();
            boolean literal = true;
            for (ShellWord w : sc.words()) {
                words.add(w.text());
                literal &= w.literal();
            }
            List<String> redirects = new ArrayList<>();
            for (Redirect r : sc.redirects()) {
                redirects.add(r.fd() + r.op() + r.target().text());
                literal &= r.target().literal() && !r.hereDocExpands();
            }
            for (ShellWord w : sc.assignments()) {
                literal &= w.literal();
            }
            if (!words.isEmpty()) {
                add(words, literal, via, redirects, out, depth);
            } else if (!redirects.isEmpty()) {
                out.add(new Command("", "", List.of(), literal, via, redirects));
            }
            for (ShellWord w : allWords(sc)) {
                for (ShellScript nested : w.nested()) {
                    collect(nested, "$()", out, depth + 1);
                }
            }
        }
    }

    private static void add(
            List<String> words, boolean literal, String via, List<String> redirects, List<Command> out, int depth) {
        String path = words.getFirst();
        String program = basename(path);
        out.add(new Command(program, path, List.copyOf(words.subList(1, words.size())), literal, via, redirects));
        if (depth > 8 || out.size() > MAX_COMMANDS) {
            return;
        }
        Optional<List<String>> inner = Wrappers.inner(program, words);
        if (inner.isPresent()) {
            add(inner.get(), literal, program, List.of(), out, depth + 1);
        }
        for (List<String> exec : Wrappers.findExecs(program, words)) {
            add(exec, literal, "find", List.of(), out, depth + 1);
        }
        Optional<String> script = Wrappers.script(program, words);
        if (script.isPresent()) {
            ShellScript nested = ShellParser.parse(script.get());
            if (nested.parsed()) {
                collect(nested, program + " -c", out, depth + 1);
            } else {
                out.add(new Command("", script.get(), List.of(), false, program + " -c", List.of()));
            }
        }
    }

    private static List<ShellWord> allWords(SimpleCommand sc) {
        List<ShellWord> all = new ArrayList<>(sc.assignments());
        all.addAll(sc.words());
        for (Redirect r : sc.redirects()) {
            all.add(r.target());
        }
        return all;
    }

    static String basename(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 || p.length() == 1 ? p : p.substring(slash + 1);
    }

    private static void readOnly(ShellScript script, List<String> reasons) {
        for (String op : script.operators()) {
            if (!READ_ONLY_OPERATORS.contains(op)) {
                reasons.add(
                        op.equals("&") ? "runs in the background (&)" : "compound command or subshell (" + op + ")");
            }
        }
        for (SimpleCommand sc : script.commands()) {
            if (!sc.assignments().isEmpty()) {
                reasons.add("variable assignment " + sc.assignments().getFirst().assignment() + "=");
            }
            for (Redirect r : sc.redirects()) {
                redirect(r).ifPresent(reasons::add);
            }
            if (sc.words().isEmpty()) {
                continue;
            }
            for (ShellWord w : sc.words()) {
                if (w.glob()
                        && w.expansions().isEmpty()
                        && w.globCannotBeOption()
                        && w != sc.words().getFirst()) {
                    continue; // /var/log/*.log: every match starts with '/', never an option
                }
                if (!w.literal()) {
                    reasons.add("not literal: " + w.text() + " ("
                            + (w.expansions().isEmpty()
                                    ? "glob that may expand to an option"
                                    : String.join(", ", w.expansions()))
                            + ")");
                }
            }
            String path = sc.words().getFirst().text();
            Optional<ReadOnlyPrograms.Spec> spec = ReadOnlyPrograms.spec(path);
            if (spec.isEmpty()) {
                reasons.add("not a read-only program: " + path);
                continue;
            }
            List<String> args = new ArrayList<>();
            for (ShellWord w : sc.words().subList(1, sc.words().size())) {
                args.add(w.text());
            }
            ReadOnlyPrograms.refusedOption(basename(path), spec.get(), args).ifPresent(reasons::add);
        }
    }

    /** Why a redirection is not read-only: anything but reading a file, duplicating a descriptor, or /dev/null. */
    private static Optional<String> redirect(Redirect r) {
        String t = r.target().text();
        boolean literal = r.target().literal();
        boolean ok = switch (r.op()) {
            // bash opens a network connection for /dev/tcp/HOST/PORT and /dev/udp/… in a redirection
            case "<" -> literal && !t.startsWith("/dev/tcp/") && !t.startsWith("/dev/udp/");
            case "<&", ">&" -> literal && (t.equals("-") || isDigits(t));
            case ">", ">>" -> literal && t.equals("/dev/null");
            default -> false; // >| <> &> &>> here-documents and here-strings
        };
        return ok
                ? Optional.empty()
                : Optional.of("redirection " + r.fd() + r.op() + (r.op().startsWith("<<") ? "" : t));
    }

    private static boolean isDigits(String t) {
        if (t.isEmpty()) {
            return false;
        }
        for (int k = 0; k < t.length(); k++) {
            if (t.charAt(k) < '0' || t.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }
}
