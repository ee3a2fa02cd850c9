package dev.portcullis.proxy.ssh.shell;

import java.util.List;

/**
 * A parsed command line: its simple commands in order and the operators and reserved words between them. When
 * {@link #error} is set the line is not understood and nothing else in it may be trusted.
 *
 * @param commands the simple commands, in the order written (their own substitutions inside their words)
 * @param operators the separators, operators and reserved words met, in order ({@code ;}, {@code &&}, {@code |},
 *     {@code &}, {@code newline}, {@code (}, {@code if}, …)
 * @param error why the line could not be parsed, else null
 */
public record ShellScript(List<SimpleCommand> commands, List<String> operators, String error) {

    public ShellScript {
        commands = List.copyOf(commands);
        operators = List.copyOf(operators);
    }

    static ShellScript failed(String error) {
        return new ShellScript(List.of(), List.of(), error);
    }

    public boolean parsed() {
        return error == null;
    }

    /**
     * One simple command: assignments, words (the first is the program) and redirections.
     *
     * @param assignments {@code NAME=value} words before the program
     * @param words the program and its arguments
     * @param redirects the redirections, wherever they were written
     */
    public record SimpleCommand(List<ShellWord> assignments, List<ShellWord> words, List<Redirect> redirects) {
        public SimpleCommand {
            assignments = List.copyOf(assignments);
            words = List.copyOf(words);
            redirects = List.copyOf(redirects);
        }
    }

    /**
     * A redirection.
     *
     * @param fd the file descriptor written before the operator, else empty
     * @param op the operator ({@code <}, {@code >}, {@code >>}, {@code >|}, {@code <>}, {@code <&}, {@code >&},
     *     {@code &>}, {@code &>>}, {@code <<}, {@code <<-}, {@code <<<})
     * @param target the file, descriptor, here-document delimiter or here-string
     * @param hereDocExpands a here-document whose body is subject to expansions (an unquoted delimiter and a
     *     body with {@code $}, a backquote or a backslash)
     */
    public record Redirect(String fd, String op, ShellWord target, boolean hereDocExpands) {}
}
