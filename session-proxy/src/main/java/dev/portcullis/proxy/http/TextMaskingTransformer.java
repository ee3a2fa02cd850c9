package dev.portcullis.proxy.http;

import dev.portcullis.proxy.enforcement.LineMasker;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Detector masking of a text body (logs, plain text, XML), line by line as it streams. */
final class TextMaskingTransformer implements BodyTransformer {

    private final LineMasker lines;

    TextMaskingTransformer(LineMasker lines) {
        this.lines = lines;
    }

    @Override
    public Buffer feed(Buffer in) {
        byte[] b = in.getBytes();
        return Buffer.buffer(lines.feed(b, 0, b.length).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Buffer end() {
        return Buffer.buffer(lines.flush().getBytes(StandardCharsets.UTF_8));
    }
}
