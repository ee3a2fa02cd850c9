package dev.portcullis.proxy.ssh.shell;

import java.util.List;

/**
 * One word of a command line after quote removal, before any expansion: {@code 'a'"b"\c} is {@code abc}; an
 * expansion stays as written ({@code "$HOME"} is {@code $HOME}, {@code $(id)} is {@code $(id)}), so deny rules can
 * still read it, but then {@link #literal} is false.
 *
 * @param text the word after quote removal, expansions as written
 * @param literal no expansion of any kind: no parameter, command or arithmetic substitution, no tilde, brace or
 *     ANSI-C quoting, no unquoted glob character
 * @param glob an unquoted {@code *}, {@code ?} or {@code [...]} (pathname expansion)
 * @param expansions what made the word non-literal ({@code parameter}, {@code command substitution}, …), in order
 * @param firstLiteral the word's first character when it is a plain (quoted or unquoted) character, else -1: what
 *     every pathname expansion of the word starts with
 * @param assignment the name of a {@code NAME=value} word (its name unquoted), else null
 * @param nested the scripts of its command substitutions ({@code $(…)}, backquotes, {@code <(…)})
 */
public record ShellWord(
        String text,
        boolean literal,
        boolean glob,
        List<String> expansions,
        int firstLiteral,
        String assignment,
        List<ShellScript> nested) {

    public ShellWord {
        expansions = List.copyOf(expansions);
        nested = List.copyOf(nested);
    }

    /** Whether pathname expansion of this word can only produce words that do not start with '-'. */
    boolean globCannotBeOption() {
        return firstLiteral >= 0 && firstLiteral != '-';
    }
}
