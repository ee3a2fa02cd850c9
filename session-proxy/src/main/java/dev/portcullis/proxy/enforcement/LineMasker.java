package dev.portcullis.proxy.enforcement;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Detector masking over a byte stream of text, line by line: bytes are held until a newline so a
 * secret split across reads is still matched whole; a line longer than {@code maxLine} is masked
 * and passed on in pieces (cut at a UTF-8 character boundary). Not thread-safe.
 */
public final class LineMasker {

    private final Masker masker;
    private final Masker.ColumnPlan plan;
    private final int maxLine;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public LineMasker(Masker masker, List<MaskRule> rules, int maxLine) {
        this.masker = masker;
        this.plan = Masker.plan(rules.stream().filter(r -> r.detector() != null).toList(), null);
        this.maxLine = maxLine;
    }

    /** Whether the rules mask anything at all (else the stream can pass untouched). */
    public boolean masksAnything() {
        return plan.masksAnything();
    }

    /** Takes {@code len} bytes; returns the masked text that is complete so far (maybe empty). */
    public String feed(byte[] b, int off, int len) {
        int lastNewline = -1;
        for (int i = off + len - 1; i >= off; i--) {
            if (b[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        if (lastNewline >= 0 && pending.size() == 0) {
            // the common case: whole lines, nothing held back; no copy of what went before
            pending.write(b, lastNewline + 1, off + len - lastNewline - 1);
            return mask(new String(b, off, lastNewline + 1 - off, StandardCharsets.UTF_8));
        }
        pending.write(b, off, len);
        if (lastNewline < 0 && pending.size() < maxLine) {
            return "";
        }
        byte[] buf = pending.toByteArray();
        int cut = lastNewline < 0 ? -1 : buf.length - (off + len - lastNewline - 1);
        if (cut < 0 && buf.length >= maxLine) {
            cut = buf.length;
            while (cut > 0 && (buf[cut - 1] & 0xC0) == 0x80) {
                cut--; // continuation bytes: keep the whole character together
            }
            if (cut > 0 && (buf[cut - 1] & 0x80) != 0) {
                cut--; // the lead byte of the split character
            }
            if (cut == 0) {
                cut = buf.length;
            }
        }
        return cut <= 0 ? "" : emit(buf, cut);
    }

    /** What is left, masked (end of stream). */
    public String flush() {
        byte[] buf = pending.toByteArray();
        return buf.length == 0 ? "" : emit(buf, buf.length);
    }

    private String emit(byte[] buf, int n) {
        pending.reset();
        pending.write(buf, n, buf.length - n);
        return mask(new String(buf, 0, n, StandardCharsets.UTF_8));
    }

    private String mask(String text) {
        return plan.masksAnything() ? masker.apply(plan, text) : text;
    }
}
