package dev.portcullis.proxy.ssh;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Decides which lines typed into an interactive shell may be recorded as {@code shell_line}: only those the
 * terminal echoed back (docs/architecture.md "Session events"). SSH never tells the server side when the target
 * turns echo off — the PTY modes of the {@code pty-req} are the client's initial ones, and a later {@code
 * tcsetattr} on the target (sudo, passwd, ssh, read -s asking for a secret) is not sent anywhere — so the proxy
 * cannot read the echo flag. What it can see is the output: with echo on, what was typed comes back. A line is
 * recorded when its text appears in the output after the line was begun (terminal echo is in order, so a later
 * line's echo also settles every earlier line that was not echoed); a line typed right after a prompt that asks
 * for a password, passphrase, PIN or token is never recorded; a line not echoed within {@link #WINDOW}
 * characters of output, or by the end of the session, is reported as withheld (its text dropped). The output
 * recording itself is unchanged: it holds only what the terminal showed.
 *
 * <p>Limits: text the target prints that happens to equal a line typed with echo off makes that line recordable
 * (it is then in the output recording anyway); a prompt not matching the words above is caught only by the echo
 * check; lines edited with cursor keys or completed with tab may not match their echo and are then withheld.
 */
final class EchoGate {

    /** Output (normalised characters) within which a typed line must have been echoed. */
    static final int WINDOW = 16 * 1024;

    private static final int MAX_PENDING = 64;
    private static final int KEEP = 4 * WINDOW;
    private static final List<String> SECRET_PROMPTS =
            List.of("password", "passphrase", "passcode", "pin", "token", "secret", "verification code", "otp");

    private record Pending(String line, long from) {}

    private final Consumer<String> record;
    private final Runnable withheld;
    /** Normalised output: printable characters, newlines, backspaces applied; the last {@link #KEEP} of it. */
    private final StringBuilder output = new StringBuilder();
    /** The absolute offset of {@code output}'s first character. */
    private long base;

    private long lineStart = -1;
    private boolean secretPrompted;
    private long matchedUpTo;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Inside an escape sequence: 0 none, 1 after ESC, 2 CSI, 3 OSC/DCS string. */
    private int escape;

    /**
     * {@code record} gets each line the terminal echoed; {@code withheld} is told of each line that was not
     * recorded (without its text).
     */
    EchoGate(Consumer<String> record, Runnable withheld) {
        this.record = record;
        this.withheld = withheld;
    }

    /** The agent typed the first character of a line. */
    synchronized void lineStarted() {
        lineStart = base + output.length();
        int nl = output.lastIndexOf("\n");
        String prompt = output.substring(nl + 1).strip().toLowerCase(Locale.ROOT);
        secretPrompted = prompt.endsWith(":") && SECRET_PROMPTS.stream().anyMatch(prompt::contains);
    }

    /** The agent entered a line (what the tap assembled from the keystrokes). */
    void typed(String line) {
        List<Runnable> done = new ArrayList<>();
        synchronized (this) {
            long from = lineStart < 0 ? base + output.length() : lineStart;
            boolean secret = secretPrompted;
            lineStart = -1;
            secretPrompted = false;
            if (secret) {
                done.add(withheld);
            } else {
                pending.add(new Pending(line, from));
                settle(done);
            }
        }
        done.forEach(Runnable::run);
    }

    /** Output of the target toward the agent, raw. */
    void output(byte[] b, int off, int len) {
        List<Runnable> done = new ArrayList<>();
        synchronized (this) {
            for (int i = off; i < off + len; i++) {
                see((char) (b[i] & 0xff));
            }
            if (output.length() > KEEP) {
                int drop = output.length() - KEEP;
                output.delete(0, drop);
                base += drop;
            }
            settle(done);
        }
        done.forEach(Runnable::run);
    }

    /** The shell ended: what was never echoed is withheld. */
    void close() {
        int n;
        synchronized (this) {
            n = pending.size();
            pending.clear();
        }
        for (int i = 0; i < n; i++) {
            withheld.run();
        }
    }

    private void see(char c) {
        switch (escape) {
            case 1 -> {
                escape = c == '[' ? 2 : c == ']' || c == 'P' || c == '_' || c == '^' ? 3 : 0;
                return;
            }
            case 2 -> {
                if (c >= 0x40 && c <= 0x7e) {
                    escape = 0;
                }
                return;
            }
            case 3 -> {
                if (c == 0x07 || c == 0x1b) {
                    escape = c == 0x1b ? 1 : 0;
                }
                return;
            }
            default -> {
                // plain text
            }
        }
        if (c == 0x1b) {
            escape = 1;
        } else if (c == '\r' || c == '\n') {
            output.append('\n');
        } else if (c == 0x08 || c == 0x7f) {
            if (!output.isEmpty() && output.charAt(output.length() - 1) != '\n') {
                output.setLength(output.length() - 1);
            }
        } else if (c >= 0x20) {
            output.append(c);
        }
    }

    /** Records the lines found echoed (in order) and withholds those that can no longer be. */
    private void settle(List<Runnable> done) {
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = false;
            int index = 0;
            for (Pending p : pending) {
                long from = Math.max(Math.max(p.from(), matchedUpTo), base);
                int at = output.indexOf(p.line(), (int) (from - base));
                if (at >= 0) {
                    for (int k = 0; k < index; k++) {
                        pending.removeFirst();
                        done.add(withheld);
                    }
                    pending.removeFirst();
                    matchedUpTo = base + at + p.line().length();
                    String line = p.line();
                    done.add(() -> record.accept(line));
                    progress = true;
                    break;
                }
                index++;
            }
        }
        while (!pending.isEmpty()
                && (pending.size() > MAX_PENDING
                        || base + output.length() - pending.peekFirst().from() > WINDOW)) {
            pending.removeFirst();
            done.add(withheld);
        }
    }
}
