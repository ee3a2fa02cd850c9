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

    /** A syntax error: its message becomes the script's error. */
    private static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message, null, false, false);
        }
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
    private final int depth;
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
        this.depth = depth;
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
        } catch (SyntaxError e) {
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
            ShellWord w = word();
            if (i < n && (s.charAt(i) == '<' || s.charAt(i) == '>') && allDigits(start, i) && redirectOp == null) {
                redirectFd = w.text(); // an IO_NUMBER: 2>file
                continue;
            }
            word(w, s.substring(start, i));
        }
        if (redirectOp != null) {
            throw new SyntaxError("redirection " + redirectOp + " without a target");
        }
        if (!hereDocs.isEmpty()) {
            throw new SyntaxError("here-document without its delimiter line "
                    + hereDocs.getFirst().delimiter());
        }
        if (mode == Mode.DOUBLE_BRACKET) {
            throw new SyntaxError("[[ without ]]");
        }
        if (needCommand) {
            throw new SyntaxError("ends with an operator, no command after it");
        }
        if (mode == Mode.CASE_WORD || mode == Mode.CASE_IN) {
            throw new SyntaxError("case without in");
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
                throw new SyntaxError("redirection " + redirectOp + " followed by " + op);
            }
            redirectOp = op;
            return;
        }
        if (redirectOp != null) {
            throw new SyntaxError("redirection " + redirectOp + " followed by " + op);
        }
        redirectFd = "";
        switch (mode) {
            case DOUBLE_BRACKET -> {
                // &&, ||, <, >, ( and ) are the test's own operators inside [[ ]]
                if (!Set.of("&&", "||", "<", ">", "(", ")").contains(op)) {
                    throw new SyntaxError("operator " + op + " inside [[ ]]");
                }
            }
            case CASE_PATTERN -> {
                if (op.equals(")")) {
                    finish();
                    mode = Mode.COMMAND;
                } else if (!op.equals("|") && !op.equals("(")) {
                    throw new SyntaxError("operator " + op + " in a case pattern");
                }
            }
            case CASE_WORD, CASE_IN -> throw new SyntaxError("operator " + op + " after case");
            default -> {
                if (op.equals("(")) {
                    if (!current.empty()) {
                        throw new SyntaxError("function definitions are not analysed");
                    }
                    if (i < n && s.charAt(i) == '(') {
                        throw new SyntaxError("arithmetic commands (( )) are not analysed");
                    }
                    operators.add(op);
                    canEnd = false;
                    needCommand = false;
                } else if (op.equals(")")) {
                    if (needCommand || !canEnd && current.empty()) {
                        throw new SyntaxError("syntax error near )");
                    }
                    finish();
                    operators.add(op);
                    canEnd = true;
                } else if (op.equals(";;") || op.equals(";&") || op.equals(";;&")) {
                    if (caseDepth == 0) {
                        throw new SyntaxError(op + " outside case");
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
            throw new SyntaxError("redirection " + redirectOp + " without a target");
        }
        if (mode == Mode.CASE_PATTERN || mode == Mode.CASE_IN) {
            if (op.equals("newline")) {
                return;
            }
            throw new SyntaxError("operator " + op + " in a case pattern");
        }
        if (mode == Mode.DOUBLE_BRACKET) {
            throw new SyntaxError("[[ without ]]");
        }
        if (mode == Mode.CASE_WORD) {
            throw new SyntaxError("case without a word");
        }
        if (op.equals("newline")) {
            canEnd = false;
        } else {
            if (!canEnd && current.empty() && mode != Mode.FOR_HEADER) {
                throw new SyntaxError("syntax error near " + op);
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
                    throw new SyntaxError("case without in");
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
                throw new SyntaxError("esac without case");
            }
            caseDepth--;
            operators.add(raw);
        } else if (raw.equals("[[")) {
            operators.add(raw);
            current.words.add(w);
            mode = Mode.DOUBLE_BRACKET;
        } else if (raw.equals("function") || raw.equals("coproc")) {
            throw new SyntaxError(raw + " is not analysed");
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
                throw new SyntaxError("here-document without its delimiter line " + h.delimiter());
            }
            String text = body.toString();
            boolean expands =
                    !h.quoted() && (text.indexOf('$') >= 0 || text.indexOf('`') >= 0 || text.indexOf('\\') >= 0);
            Redirect r = h.command().redirects.get(h.index());
            List<ShellScript> nested = expands ? nestedIn(text) : List.of();
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

    // ---- words ----------------------------------------------------------------------------------------------

    /** The state of the word being read. */
    private final class WordState {
        final StringBuilder text = new StringBuilder();
        final List<String> expansions = new ArrayList<>();
        final List<ShellScript> nested = new ArrayList<>();
        final int start = i;
        boolean glob;
        int firstLiteral = -1;
        boolean firstSet;
        int openBrace = -1;
        String assignment;

        void plain(char c) {
            if (!firstSet) {
                firstSet = true;
                firstLiteral = c;
            }
            text.append(c);
        }

        void expansion(String kind, String raw) {
            firstSet = true;
            expansions.add(kind);
            text.append(raw);
        }

        void globChar(char c) {
            firstSet = true;
            glob = true;
            text.append(c);
        }
    }

    private ShellWord word() {
        WordState w = new WordState();
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
                break;
            }
            if (c == '<' || c == '>') {
                if (i + 1 < n && s.charAt(i + 1) == '(') {
                    int end = Substitutions.balanced(s, i + 2);
                    String inner = s.substring(i + 2, end - 1);
                    w.nested.add(nestedScript(inner));
                    w.expansion("process substitution", s.substring(i, end));
                    i = end;
                    continue;
                }
                break;
            }
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= n) {
                        w.plain('\\');
                        i++;
                    } else if (s.charAt(i + 1) == '\n') {
                        i += 2;
                    } else {
                        w.plain(s.charAt(i + 1));
                        i += 2;
                    }
                }
                case '\'' -> {
                    int end = s.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new SyntaxError("unterminated single quote");
                    }
                    for (int k = i + 1; k < end; k++) {
                        w.plain(s.charAt(k));
                    }
                    i = end + 1;
                }
                case '"' -> doubleQuoted(w);
                case '$' -> dollar(w, false);
                case '`' -> backquote(w);
                case '*', '?' -> {
                    w.globChar(c);
                    i++;
                }
                case '[' -> {
                    if (closesBracket(i + 1)) {
                        w.globChar(c);
                    } else {
                        w.plain(c);
                    }
                    i++;
                }
                case '~' -> {
                    if (i == w.start) {
                        int end = i + 1;
                        while (end < n && isTildeChar(s.charAt(end))) {
                            end++;
                        }
                        w.expansion("tilde", s.substring(i, end));
                        i = end;
                    } else {
                        w.plain(c);
                        i++;
                    }
                }
                case '{' -> {
                    if (w.openBrace < 0) {
                        w.openBrace = w.text.length();
                    }
                    w.plain(c);
                    i++;
                }
                case '}' -> {
                    if (w.openBrace >= 0 && !(w.openBrace == 0 && w.text.length() == 1)) {
                        // {a,b} and {1..3} are bash brace expansions; sh keeps them literal: refused as unknown
                        w.expansions.add("brace");
                    }
                    w.plain(c);
                    i++;
                }
                case '=' -> {
                    if (w.assignment == null && isName(w.start, i)) {
                        w.assignment = s.substring(w.start, i);
                    }
                    w.plain(c);
                    i++;
                }
                default -> {
                    w.plain(c);
                    i++;
                }
            }
        }
        boolean literal = w.expansions.isEmpty() && !w.glob;
        return new ShellWord(w.text.toString(), literal, w.glob, w.expansions, w.firstLiteral, w.assignment, w.nested);
    }

    /** Whether {@code s[from, to)} is a shell name (an assignment's left side, written unquoted). */
    private boolean isName(int from, int to) {
        if (from == to || Character.isDigit(s.charAt(from))) {
            return false;
        }
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            if (!(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTildeChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '+';
    }

    /** Whether an unquoted '[' at {@code from - 1} has a ']' later in the same word (so it is a bracket expression). */
    private boolean closesBracket(int from) {
        for (int k = from; k < n; k++) {
            char c = s.charAt(k);
            if (c == ']') {
                return true;
            }
            if (" \t\n;&|()<>".indexOf(c) >= 0) {
                return false;
            }
        }
        return false;
    }

    private void doubleQuoted(WordState w) {
        i++; // the opening quote
        while (true) {
            if (i >= n) {
                throw new SyntaxError("unterminated double quote");
            }
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return;
            }
            if (c == '\\' && i + 1 < n) {
                char next = s.charAt(i + 1);
                if (next == '\n') {
                    i += 2;
                } else if (next == '$' || next == '`' || next == '"' || next == '\\') {
                    w.plain(next);
                    i += 2;
                } else {
                    w.plain('\\');
                    i++;
                }
            } else if (c == '$') {
                dollar(w, true);
            } else if (c == '`') {
                backquote(w);
            } else {
                w.plain(c);
                i++;
            }
        }
    }

    private void dollar(WordState w, boolean inDoubleQuotes) {
        int start = i;
        if (i + 1 >= n) {
            w.plain('$');
            i++;
            return;
        }
        char next = s.charAt(i + 1);
        if (next == '(') {
            int end = Substitutions.balanced(s, i + 2);
            if (end < 0) {
                throw new SyntaxError("unterminated $(");
            }
            String inner = s.substring(i + 2, end - 1);
            if (inner.startsWith("(") && inner.endsWith(")")) {
                w.nested.addAll(nestedIn(inner));
                w.expansion("arithmetic", s.substring(start, end));
            } else {
                w.nested.add(nestedScript(inner));
                w.expansion("command substitution", s.substring(start, end));
            }
            i = end;
        } else if (next == '{') {
            int end = Substitutions.braced(s, i + 2);
            if (end < 0) {
                throw new SyntaxError("unterminated ${");
            }
            w.nested.addAll(nestedIn(s.substring(i + 2, end - 1)));
            w.expansion("parameter", s.substring(start, end));
            i = end;
        } else if (next == '\'' && !inDoubleQuotes) {
            int k = i + 2;
            while (k < n && s.charAt(k) != '\'') {
                k += s.charAt(k) == '\\' ? 2 : 1;
            }
            if (k >= n) {
                throw new SyntaxError("unterminated $'");
            }
            w.expansion("ANSI-C quoting", s.substring(start, k + 1));
            i = k + 1;
        } else if (next == '"' && !inDoubleQuotes) {
            w.expansions.add("locale quoting");
            i++;
            doubleQuoted(w);
        } else if (Character.isLetter(next) && next < 128 || next == '_') {
            int k = i + 1;
            while (k < n && (Character.isLetterOrDigit(s.charAt(k)) && s.charAt(k) < 128 || s.charAt(k) == '_')) {
                k++;
            }
            w.expansion("parameter", s.substring(start, k));
            i = k;
        } else if (Character.isDigit(next) && next < 128 || "@*#?$!-".indexOf(next) >= 0) {
            w.expansion("parameter", s.substring(start, i + 2));
            i += 2;
        } else {
            w.plain('$');
            i++;
        }
    }

    private void backquote(WordState w) {
        int start = i;
        StringBuilder inner = new StringBuilder();
        int k = i + 1;
        while (true) {
            if (k >= n) {
                throw new SyntaxError("unterminated backquote");
            }
            char c = s.charAt(k);
            if (c == '`') {
                break;
            }
            if (c == '\\' && k + 1 < n && "$`\\".indexOf(s.charAt(k + 1)) >= 0) {
                inner.append(s.charAt(k + 1));
                k += 2;
            } else {
                inner.append(c);
                k++;
            }
        }
        w.nested.add(nestedScript(inner.toString()));
        w.expansion("command substitution", s.substring(start, k + 1));
        i = k + 1;
    }

    private List<ShellScript> nestedIn(String text) {
        List<ShellScript> nested = Substitutions.in(text, depth);
        for (ShellScript sc : nested) {
            if (!sc.parsed()) {
                throw new SyntaxError("in a substitution: " + sc.error());
            }
        }
        return nested;
    }

    private ShellScript nestedScript(String inner) {
        ShellScript nested = parse(inner, depth + 1);
        if (!nested.parsed()) {
            throw new SyntaxError("in a substitution: " + nested.error());
        }
        return nested;
    }
}
