package dev.portcullis.proxy.ssh.shell;

import java.util.ArrayList;
import java.util.List;

/** Finding where a substitution ends, and the command substitutions inside text that is expanded. */
final class Substitutions {

    private Substitutions() {}

    /**
     * The index just after the {@code )} closing a {@code (} that ends at {@code from - 1}, skipping quotes, escapes
     * and nested substitutions; -1 when it is not closed.
     */
    static int balanced(String s, int from) {
        int depth = 1;
        int k = from;
        int n = s.length();
        while (k < n) {
            int quoted = skipQuoting(s, k);
            if (quoted != k) {
                if (quoted < 0) {
                    return -1;
                }
                k = quoted;
                continue;
            }
            char c = s.charAt(k);
            switch (c) {
                case '(' -> {
                    depth++;
                    k++;
                }
                case ')' -> {
                    depth--;
                    k++;
                    if (depth == 0) {
                        return k;
                    }
                }
                default -> k++;
            }
        }
        return -1;
    }

    /**
     * At an escape, a quote or a backquote: the index just after what it quotes, -1 when that is not closed; {@code k}
     * itself at any other character.
     */
    private static int skipQuoting(String s, int k) {
        return switch (s.charAt(k)) {
            case '\\' -> k + 2;
            case '\'' -> {
                int end = s.indexOf('\'', k + 1);
                yield end < 0 ? -1 : end + 1;
            }
            case '"' -> skipDoubleQuoted(s, k + 1);
            case '`' -> skipBackquote(s, k + 1);
            default -> k;
        };
    }

    /** The index just after the {@code }} closing a {@code ${} that ends at {@code from - 1}; -1 when not closed. */
    static int braced(String s, int from) {
        int k = from;
        int n = s.length();
        while (k < n) {
            int quoted = skipQuoting(s, k);
            if (quoted != k) {
                if (quoted < 0) {
                    return -1;
                }
                k = quoted;
                continue;
            }
            char c = s.charAt(k);
            switch (c) {
                case '$' -> {
                    if (k + 1 < n && s.charAt(k + 1) == '(') {
                        k = balanced(s, k + 2);
                    } else if (k + 1 < n && s.charAt(k + 1) == '{') {
                        k = braced(s, k + 2);
                    } else {
                        k++;
                    }
                    if (k < 0) {
                        return -1;
                    }
                }
                case '}' -> {
                    return k + 1;
                }
                default -> k++;
            }
        }
        return -1;
    }

    private static int skipDoubleQuoted(String s, int from) {
        int k = from;
        int n = s.length();
        while (k < n) {
            char c = s.charAt(k);
            if (c == '"') {
                return k + 1;
            }
            if (c == '\\') {
                k += 2;
            } else if (c == '$' && k + 1 < n && s.charAt(k + 1) == '(') {
                k = balanced(s, k + 2);
                if (k < 0) {
                    return -1;
                }
            } else if (c == '$' && k + 1 < n && s.charAt(k + 1) == '{') {
                k = braced(s, k + 2);
                if (k < 0) {
                    return -1;
                }
            } else if (c == '`') {
                k = skipBackquote(s, k + 1);
                if (k < 0) {
                    return -1;
                }
            } else {
                k++;
            }
        }
        return -1;
    }

    /** Inside backquotes a backslash quotes only $, ` and itself. */
    static String unescapeBackquoted(String inner) {
        StringBuilder b = new StringBuilder(inner.length());
        for (int k = 0; k < inner.length(); k++) {
            char c = inner.charAt(k);
            if (c == '\\' && k + 1 < inner.length() && "$`\\".indexOf(inner.charAt(k + 1)) >= 0) {
                b.append(inner.charAt(++k));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static int skipBackquote(String s, int from) {
        int k = from;
        while (k < s.length()) {
            char c = s.charAt(k);
            if (c == '`') {
                return k + 1;
            }
            k += c == '\\' ? 2 : 1;
        }
        return -1;
    }

    /**
     * The scripts of the command substitutions ({@code $(…)}, backquotes) in {@code text}, which the shell expands
     * (a here-document body, the inside of {@code ${…}} or {@code $((…))}). One that cannot be parsed fails.
     */
    static List<ShellScript> in(String text, int depth) {
        List<ShellScript> out = new ArrayList<>();
        int k = 0;
        int n = text.length();
        while (k < n) {
            char c = text.charAt(k);
            if (c == '\\') {
                k += 2;
            } else if (c == '$' && k + 1 < n && text.charAt(k + 1) == '(' && !text.startsWith("((", k + 1)) {
                int end = balanced(text, k + 2);
                if (end < 0) {
                    out.add(ShellScript.failed("unterminated $("));
                    return out;
                }
                out.add(ShellParser.parse(text.substring(k + 2, end - 1), depth + 1));
                k = end;
            } else if (c == '`') {
                int end = skipBackquote(text, k + 1);
                if (end < 0) {
                    out.add(ShellScript.failed("unterminated backquote"));
                    return out;
                }
                out.add(ShellParser.parse(unescapeBackquoted(text.substring(k + 1, end - 1)), depth + 1));
                k = end;
            } else {
                k++;
            }
        }
        return out;
    }
}
