package dev.portcullis.proxy.ssh;

import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Masks a byte stream by detector rules before it reaches the agent. Line mode (exec) holds
 * bytes until a newline, so a secret split across packets is still matched whole; a line longer
 * than {@code maxLine} is masked and passed on in pieces. Chunk mode (interactive shells) masks
 * each write as it comes so prompts show at once (a secret split across two writes can escape:
 * best effort, documented). Every masked piece is also handed to {@code tap} (the recording).
 */
final class MaskingOutputStream extends OutputStream {

    private final OutputStream out;
    private final Masker masker;
    private final List<MaskRule> rules;
    private final boolean lineMode;
    private final int maxLine;
    private final Consumer<String> tap;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    MaskingOutputStream(OutputStream out, Masker masker, List<MaskRule> rules, boolean lineMode, int maxLine,
            Consumer<String> tap) {
        this.out = out;
        this.masker = masker;
        this.rules = rules.stream().filter(r -> r.detector() != null).toList();
        this.lineMode = lineMode;
        this.maxLine = maxLine;
        this.tap = tap;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        pending.write(b, off, len);
        if (!lineMode) {
            emit(pending.size());
            return;
        }
        byte[] buf = pending.toByteArray();
        int lastNl = -1;
        for (int i = buf.length - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                lastNl = i;
                break;
            }
        }
        if (lastNl >= 0) {
            emit(lastNl + 1);
        } else if (buf.length >= maxLine) {
            emit(buf.length);
        }
    }

    /** Masks and sends the first {@code n} pending bytes. */
    private void emit(int n) throws IOException {
        byte[] buf = pending.toByteArray();
        pending.reset();
        pending.write(buf, n, buf.length - n);
        if (n == 0) {
            return;
        }
        String text = new String(buf, 0, n, StandardCharsets.UTF_8);
        String masked = rules.isEmpty() ? text : masker.applyDetectors(rules, text);
        out.write(masked.getBytes(StandardCharsets.UTF_8));
        out.flush();
        tap.accept(masked);
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!lineMode) {
            emit(pending.size());
        }
    }

    /** Sends what is left (end of the command's output); does not close the agent's stream. */
    synchronized void drain() throws IOException {
        emit(pending.size());
    }

    @Override
    public void close() throws IOException {
        drain();
    }
}
