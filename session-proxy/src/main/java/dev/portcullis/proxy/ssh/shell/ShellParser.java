package dev.portcullis.proxy.ssh.shell;

import dev.portcullis.proxy.ssh.shell.ShellScript.Redirect;
import dev.portcullis.proxy.ssh.shell.ShellScript.SimpleCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits a command line into words and simple commands as a POSIX shell does (the token recognition and quote
 * removal of the Shell Command Language, with bash's additions an SSH target's login shell may have: {@code $'…'},
 * {@code |&}, {@code &>}, {@code <<<}, {@code <(…)}, {@code [[ … ]]}). It expands nothing: an expansion stays in its
 * word as written and makes the word non-literal, so policy can tell what it cannot know. Substitutions are parsed
 * too, so the commands they run are seen. What it does not analyse (function definitions, arithmetic commands,
 * {@code coproc}, unbalanced quotes, a here-document without its end) is an {@link ShellScript#error}, never a
 * guess. Conformance with bash's word splitting is tested (ShellParserConformanceTest).
 */
public final class ShellParser {

    /** Longer command lines are not parsed (the policy input is bounded too). */
    public static final int MAX_LENGTH = 64 * 1024;

    private static final int MAX_DEPTH = 8;

    /** Longest first, so the first match is the operator (POSIX 2.3 rule 2, and bash's). */
    private static final List<String> OPERATORS = List.of(
            ";;&", "&>>", "<<-", "<<<", "&&", "||", ";;", ";&", "|&", "&>", "<<", "<>", "<&", ">&", ">>", ">|", "|",
            "&", ";", "<", ">", "(", ")");

    private static final Set<String> REDIRECTS =
            Set.of("<", ">", ">>", ">|", "<>", "<&", ">&", "&>", "&>>", "<<", "<<-", "<<<");

    /** Reserved words that only open, close or join compound commands: recorded, and a command may follow. */
    private static final Set<String> COMPOUND =
            Set.of("!", "{", "}", "if", "then", "else", "elif", "fi", "do", "done", "while", "until");

    private enum Mode {
        COMMAND,
        /** after {@code for NAME} / {@code select NAME}, up to the separator or {@code do} */
        FOR_HEADER,
        /** after {@code case}: the subject word */
        CASE_WORD,
        /** expecting {@code in} */
        CASE_IN,
        /** patterns up to {@code )} */
        CASE_PATTERN,
        /** inside {@code [[ … ]]} */
        DOUBLE_BRACKET
    }

    private static final class CommandBuilder {
        final List<ShellWord> assignments = new ArrayList<>();
        final List<ShellWord> words = new ArrayList<>();
        final List<Redirect> redirects = new ArrayList<>();

        boolean empty() {
            return assignments.isEmpty() && words.isEmpty() && redirects.isEmpty();
        }
    }

    private record HereDoc(CommandBuilder command, int index, String delimiter, boolean quoted, boolean stripTabs) {}

    private final String s;
    private final int n;
    private final WordReader words;
    private int i;

    private final List<CommandBuilder> commands = new ArrayList<>();
    private final List<String> operators = new ArrayList<>();
    private final List<HereDoc> hereDocs = new ArrayList<>();
    private CommandBuilder current = new CommandBuilder();
    private Mode mode = Mode.COMMAND;
    private int caseDepth;
    private String redirectOp;
    private String redirectFd = "";
    /** The last token completes a command, so a separator may follow. */
    private boolean canEnd;
    /** After |, &&, || or |&: a command must follow. */
    private boolean needCommand;

    private ShellParser(String s, int depth) {
        this.s = s;
        this.n = s.length();
        this.words = new WordReader(s, depth);
    }

    /** Parses one command line (what {@code sh -c} would run). Never throws. */
    public static ShellScript parse(String line) {
        return parse(line, 0);
    }

    static ShellScript parse(String line, int depth) {
        if (line.length() > MAX_LENGTH) {
            return ShellScript.failed("longer than " + MAX_LENGTH + " characters");
        }
        if (depth > MAX_DEPTH) {
            return ShellScript.failed("substitutions nested deeper than " + MAX_DEPTH);
        }
        if (line.indexOf('\0') >= 0) {
            return ShellScript.failed("a NUL character");
        }
        try {
            return new ShellParser(line, depth).script();
        } catch (ShellSyntaxError e) {
            return ShellScript.failed(e.getMessage());
        }
    }

    private ShellScript script() {
        while (true) {
            skipBlanks();
            if (i >= n) {
                break;
            }
            char c = s.charAt(i);
            if (c == '#') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == '\n') {
                i++;
                readHereDocs();
                separator("newline");
                continue;
            }
            String op = operatorAt(i);
            if (op != null) {
                i += op.length();
                operator(op);
                continue;
            }
            int start = i;
            words.i = i;
            ShellWord w = words.word();
            i = words.i;
            if (i < n && (s.charAt(i) == '<' || s.charAt(i) == '>') && allDigits(start, i) && redirectOp == null) {
                redirectFd = w.text(); // an IO_NUMBER: 2>file
                continue;
            }
            word(w, s.substring(start, i));
        }
        if (redirectOp != null) {
            throw new ShellSyntaxError("redirection " + redirectOp + " without a target");
        }
        if (!hereDocs.isEmpty()) {
            throw new ShellSyntaxError("here-document without its delimiter line "
                    + hereDocs.getFirst().delimiter());
        }
        if (mode == Mode.DOUBLE_BRACKET) {
            throw new ShellSyntaxError("[[ without ]]");
        }
        if (needCommand) {
            throw new ShellSyntaxError("ends with an operator, no command after it");
        }
        if (mode == Mode.CASE_WORD || mode == Mode.CASE_IN) {
            throw new ShellSyntaxError("case without in");
        }
        finish();
        List<SimpleCommand> built = new ArrayList<>(commands.size());
        for (CommandBuilder b : commands) {
            built.add(new SimpleCommand(b.assignments, b.words, b.redirects));
        }
        return new ShellScript(built, operators, null);
    }

    private void skipBlanks() {
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
            } else if (c == '\\' && i + 1 < n && s.charAt(i + 1) == '\n') {
                i += 2; // line continuation between words
            } else {
                return;
            }
        }
    }

    private String operatorAt(int at) {
        char c = s.charAt(at);
        if (";&|<>()".indexOf(c) < 0) {
            return null;
        }
        if ((c == '<' || c == '>') && at + 1 < n && s.charAt(at + 1) == '(') {
            return null; // process substitution: a word
        }
        for (String op : OPERATORS) {
            if (s.startsWith(op, at)) {
                return op;
            }
        }
        return null;
    }

    private boolean allDigits(int from, int to) {
        if (from == to) {
            return false;
        }
        for (int k = from; k < to; k++) {
            if (!Character.isDigit(s.charAt(k)) || s.charAt(k) > '9') {
                return false;
            }
        }
        return true;
    }

    private void operator(String op) {
        if (REDIRECTS.contains(op) && mode != Mode.DOUBLE_BRACKET) {
            if (redirectOp != null) {
                throw new ShellSyntaxError("redirection " + redirectOp + " followed by " + op);
            }
            redirectOp = op;
            return;
        }
        if (redirectOp != null) {
            throw new ShellSyntaxError("redirection " + redirectOp + " followed by " + op);
        }
        redirectFd = "";
        switch (mode) {
            case DOUBLE_BRACKET -> {
                // &&, ||, <, >, ( and ) are the test's own operators inside [[ ]]
                if (!Set.of("&&", "||", "<", ">", "(", ")").contains(op)) {
                    throw new ShellSyntaxError("operator " + op + " inside [[ ]]");
                }
            }
            case CASE_PATTERN -> {
                if (op.equals(")")) {
                    finish();
                    mode = Mode.COMMAND;
                } else if (!op.equals("|") && !op.equals("(")) {
                    throw new ShellSyntaxError("operator " + op + " in a case pattern");
                }
            }
            case CASE_WORD, CASE_IN -> throw new ShellSyntaxError("operator " + op + " after case");
            default -> {
                if (op.equals("(")) {
                    if (!current.empty()) {
                        throw new ShellSyntaxError("function definitions are not analysed");
                    }
                    if (i < n && s.charAt(i) == '(') {
                        throw new ShellSyntaxError("arithmetic commands (( )) are not analysed");
                    }
                    operators.add(op);
                    canEnd = false;
                    needCommand = false;
                } else if (op.equals(")")) {
                    if (needCommand || !canEnd && current.empty()) {
                        throw new ShellSyntaxError("syntax error near )");
                    }
                    finish();
                    operators.add(op);
                    canEnd = true;
                } else if (op.equals(";;") || op.equals(";&") || op.equals(";;&")) {
                    if (caseDepth == 0) {
                        throw new ShellSyntaxError(op + " outside case");
                    }
                    finish();
                    operators.add(op);
                    mode = Mode.CASE_PATTERN;
                    canEnd = false;
                } else {
                    separator(op);
                }
            }
        }
    }

    private void separator(String op) {
        if (redirectOp != null) {
            throw new ShellSyntaxError("redirection " + redirectOp + " without a target");
        }
        if (mode == Mode.CASE_PATTERN || mode == Mode.CASE_IN) {
            if (op.equals("newline")) {
                return;
            }
            throw new ShellSyntaxError("operator " + op + " in a case pattern");
        }
        if (mode == Mode.DOUBLE_BRACKET) {
            throw new ShellSyntaxError("[[ without ]]");
        }
        if (mode == Mode.CASE_WORD) {
            throw new ShellSyntaxError("case without a word");
        }
        if (op.equals("newline")) {
            canEnd = false;
        } else {
            if (!canEnd && current.empty() && mode != Mode.FOR_HEADER) {
                throw new ShellSyntaxError("syntax error near " + op);
            }
            canEnd = false;
            needCommand = op.equals("|") || op.equals("&&") || op.equals("||") || op.equals("|&");
        }
        finish();
        if (mode == Mode.FOR_HEADER) {
            mode = Mode.COMMAND;
        }
        operators.add(op);
    }

    private void finish() {
        if (!current.empty()) {
            commands.add(current);
            current = new CommandBuilder();
        }
    }

    private void word(ShellWord w, String raw) {
        needCommand = false;
        canEnd = true;
        if (redirectOp != null) {
            current.redirects.add(new Redirect(redirectFd, redirectOp, w, false));
            if (redirectOp.startsWith("<<") && !redirectOp.equals("<<<")) {
                boolean quoted = raw.indexOf('\'') >= 0 || raw.indexOf('"') >= 0 || raw.indexOf('\\') >= 0;
                hereDocs.add(
                        new HereDoc(current, current.redirects.size() - 1, w.text(), quoted, redirectOp.equals("<<-")));
            }
            redirectOp = null;
            redirectFd = "";
            return;
        }
        boolean reserved = raw.equals(w.text()) && w.literal();
        switch (mode) {
            case DOUBLE_BRACKET -> {
                current.words.add(w);
                if (reserved && raw.equals("]]")) {
                    mode = Mode.COMMAND;
                }
            }
            case FOR_HEADER -> {
                if (reserved && raw.equals("do") && current.words.size() == 2) {
                    finish();
                    operators.add("do");
                    mode = Mode.COMMAND;
                } else {
                    current.words.add(w);
                }
            }
            case CASE_WORD -> {
                current.words.add(w);
                mode = Mode.CASE_IN;
            }
            case CASE_IN -> {
                if (!(reserved && raw.equals("in"))) {
                    throw new ShellSyntaxError("case without in");
                }
                finish();
                mode = Mode.CASE_PATTERN;
            }
            case CASE_PATTERN -> {
                if (reserved && raw.equals("esac") && current.empty()) {
                    caseDepth--;
                    operators.add("esac");
                    mode = Mode.COMMAND;
                } else {
                    if (current.words.isEmpty()) {
                        current.words.add(synthetic("case"));
                    }
                    current.words.add(w);
                }
            }
            default -> commandWord(w, raw, reserved);
        }
    }

    private void commandWord(ShellWord w, String raw, boolean reserved) {
        boolean atStart = current.words.isEmpty() && current.assignments.isEmpty() && current.redirects.isEmpty();
        if (current.words.isEmpty() && w.assignment() != null) {
            current.assignments.add(w);
            return;
        }
        if (!atStart || !reserved) {
            current.words.add(w);
            return;
        }
        if (COMPOUND.contains(raw)) {
            operators.add(raw);
            canEnd = raw.equals("fi") || raw.equals("done") || raw.equals("}");
        } else if (raw.equals("for") || raw.equals("select")) {
            operators.add(raw);
            current.words.add(w);
            mode = Mode.FOR_HEADER;
        } else if (raw.equals("case")) {
            operators.add(raw);
            current.words.add(w);
            caseDepth++;
            mode = Mode.CASE_WORD;
        } else if (raw.equals("esac")) {
            if (caseDepth == 0) {
                throw new ShellSyntaxError("esac without case");
            }
            caseDepth--;
            operators.add(raw);
        } else if (raw.equals("[[")) {
            operators.add(raw);
            current.words.add(w);
            mode = Mode.DOUBLE_BRACKET;
        } else if (raw.equals("function") || raw.equals("coproc")) {
            throw new ShellSyntaxError(raw + " is not analysed");
        } else {
            current.words.add(w);
        }
    }

    private static ShellWord synthetic(String text) {
        return new ShellWord(text, true, false, List.of(), text.charAt(0), null, List.of());
    }

    private void readHereDocs() {
        for (HereDoc h : hereDocs) {
            StringBuilder body = new StringBuilder();
            boolean ended = false;
            while (i < n) {
                int nl = s.indexOf('\n', i);
                int end = nl < 0 ? n : nl;
                String line = s.substring(i, end);
                i = nl < 0 ? n : nl + 1;
                String cmp = line;
                while (h.stripTabs() && cmp.startsWith("\t")) {
                    cmp = cmp.substring(1);
                }
                if (cmp.equals(h.delimiter())) {
                    ended = true;
                    break;
                }
                body.append(line).append('\n');
            }
            if (!ended) {
                throw new ShellSyntaxError("here-document without its delimiter line " + h.delimiter());
            }
            String text = body.toString();
            boolean expands =
                    !h.quoted() && (text.indexOf('$') >= 0 || text.indexOf('`') >= 0 || text.indexOf('\\') >= 0);
            Redirect r = h.command().redirects.get(h.index());
            List<ShellScript> nested = expands ? words.nestedIn(text) : List.of();
            ShellWord t = r.target();
            h.command()
                    .redirects
                    .set(
                            h.index(),
                            new Redirect(
                                    r.fd(),
                                    r.op(),
                                    new ShellWord(
                                            t.text(),
                                            t.literal(),
                                            t.glob(),
                                            t.expansions(),
                                            t.firstLiteral(),
                                            null,
                                            nested),
                                    expands));
        }
        hereDocs.clear();
    }
}
