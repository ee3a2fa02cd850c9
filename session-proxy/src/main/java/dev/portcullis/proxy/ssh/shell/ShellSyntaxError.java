package dev.portcullis.proxy.ssh.shell;

/** A syntax error of a command line: its message becomes the script's error ({@link ShellScript#error}). */
final class ShellSyntaxError extends RuntimeException {
    ShellSyntaxError(String message) {
        super(message, null, false, false);
    }
}
