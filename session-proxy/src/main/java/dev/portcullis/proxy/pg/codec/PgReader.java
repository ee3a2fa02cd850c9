package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Bounds-checked sequential reads over one frame; every overrun is a {@link PgProtocolException}. */
public final class PgReader {

    private final Buffer buf;
    private final int end;
    private int pos;

    public PgReader(Buffer frame, int offset) {
        this.buf = frame;
        this.pos = offset;
        this.end = frame.length();
    }

    /** A reader over the body of a typed message (after type byte and length). */
    public static PgReader body(Buffer frame) {
        return new PgReader(frame, 5);
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    private void need(int n, String what) {
        if (n < 0 || end - pos < n) {
            throw new PgProtocolException(
                    "truncated message: " + what + " needs " + n + " bytes, " + (end - pos) + " left");
        }
    }

    public byte readByte() {
        need(1, "byte");
        return buf.getByte(pos++);
    }

    public short readShort() {
        need(2, "int16");
        short v = buf.getShort(pos);
        pos += 2;
        return v;
    }

    public int readUnsignedShort() {
        return readShort() & 0xffff;
    }

    public int readInt() {
        need(4, "int32");
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    public String readCString() {
        for (int i = pos; i < end; i++) {
            if (buf.getByte(i) == 0) {
                String s = buf.getString(pos, i, StandardCharsets.UTF_8.name());
                pos = i + 1;
                return s;
            }
        }
        throw new PgProtocolException("truncated message: string without terminator");
    }

    public Buffer readSlice(int n) {
        need(n, "value");
        Buffer s = buf.slice(pos, pos + n);
        pos += n;
        return s;
    }

    public void skip(int n) {
        need(n, "skip");
        pos += n;
    }
}
