package dev.portcullis.proxy.ssh.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one word of a command line as the shell's token recognition does (quotes, escapes, line continuations,
 * expansions with their own nesting), for {@link ShellParser}: the word's text after quote removal with expansions
 * as written, whether it is literal, and the scripts of its command substitutions.
 */
final class WordReader {

    private final String s;
    private final int n;
    private final int depth;
    /** Where the next word starts; after {@link #word()}, just after it. */
    int i;

    WordReader(String s, int depth) {
        this.s = s;
        this.n = s.length();
        this.depth = depth;
    }

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

    ShellWord word() {
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
                        throw new ShellSyntaxError("unterminated single quote");
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
                throw new ShellSyntaxError("unterminated double quote");
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
                throw new ShellSyntaxError("unterminated $(");
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
                throw new ShellSyntaxError("unterminated ${");
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
                throw new ShellSyntaxError("unterminated $'");
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
                throw new ShellSyntaxError("unterminated backquote");
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

    List<ShellScript> nestedIn(String text) {
        List<ShellScript> nested = Substitutions.in(text, depth);
        for (ShellScript sc : nested) {
            if (!sc.parsed()) {
                throw new ShellSyntaxError("in a substitution: " + sc.error());
            }
        }
        return nested;
    }

    private ShellScript nestedScript(String inner) {
        ShellScript nested = ShellParser.parse(inner, depth + 1);
        if (!nested.parsed()) {
            throw new ShellSyntaxError("in a substitution: " + nested.error());
        }
        return nested;
    }
}
