package dev.portcullis.proxy.ssh;

import dev.portcullis.proxy.enforcement.LineMasker;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Masks a byte stream by detector rules before it reaches the agent. Line mode (exec) holds
 * bytes until a newline ({@link LineMasker}), so a secret split across packets is still matched
 * whole; a line longer than {@code maxLine} is masked and passed on in pieces. Chunk mode
 * (interactive shells) masks each write as it comes so prompts show at once (a secret split across
 * two writes can escape: best effort, documented). Every masked piece is also handed to {@code tap}
 * (the recording).
 */
final class MaskingOutputStream extends OutputStream {

    private final OutputStream out;
    private final LineMasker lines;
    private final boolean lineMode;
    private final Consumer<String> tap;

    MaskingOutputStream(
            OutputStream out,
            Masker masker,
            List<MaskRule> rules,
            boolean lineMode,
            int maxLine,
            Consumer<String> tap) {
        this.out = out;
        // chunk mode is line mode with every write flushed at once
        this.lines = new LineMasker(masker, rules, maxLine);
        this.lineMode = lineMode;
        this.tap = tap;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        String masked = lines.feed(b, off, len);
        emit(lineMode ? masked : masked + lines.flush());
    }

    private void emit(String masked) throws IOException {
        if (masked.isEmpty()) {
            return;
        }
        out.write(masked.getBytes(StandardCharsets.UTF_8));
        out.flush();
        tap.accept(masked);
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!lineMode) {
            emit(lines.flush());
        }
    }

    /** Sends what is left (end of the command's output); does not close the agent's stream. */
    synchronized void drain() throws IOException {
        emit(lines.flush());
    }

    @Override
    public void close() throws IOException {
        drain();
    }
}
