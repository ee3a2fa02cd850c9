package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decoders for the server messages the proxy looks into. */
public final class PgBackendMessages {

    private PgBackendMessages() {}

    public record Field(
            String name, int tableOid, short column, int typeOid, short typeLength, int typeModifier, short format) {}

    public record RowDescription(List<Field> fields) {

        public static RowDescription decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            int n = r.readUnsignedShort();
            List<Field> fields = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fields.add(new Field(
                        r.readCString(),
                        r.readInt(),
                        r.readShort(),
                        r.readInt(),
                        r.readShort(),
                        r.readInt(),
                        r.readShort()));
            }
            return new RowDescription(List.copyOf(fields));
        }
    }

    /** ErrorResponse / NoticeResponse fields by code. */
    public record Fields(Map<Character, String> values) {

        public static Fields decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            Map<Character, String> values = new LinkedHashMap<>();
            while (r.remaining() > 0) {
                byte code = r.readByte();
                if (code == 0) {
                    break;
                }
                values.put((char) code, r.readCString());
            }
            return new Fields(values);
        }

        public String sqlstate() {
            return values.getOrDefault('C', "");
        }

        public String message() {
            return values.getOrDefault('M', "");
        }

        /** Re-encodes without the given field codes. */
        public Buffer encode(byte type, String dropCodes) {
            Buffer b = PgMessages.start(type, 128);
            values.forEach((k, v) -> {
                if (dropCodes.indexOf(k) < 0) {
                    PgMessages.cstring(b.appendByte((byte) k.charValue()), v);
                }
            });
            return PgMessages.finish(b.appendByte((byte) 0));
        }
    }

    public record BackendKeyData(int pid, int secret) {

        public static BackendKeyData decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            return new BackendKeyData(r.readInt(), r.readInt());
        }
    }

    /** CommandComplete's tag, e.g. {@code SELECT 3}. */
    public static String commandTag(Buffer frame) {
        return PgReader.body(frame).readCString();
    }

    /** Authentication request: its code and the rest of the body (salt, SASL data). */
    public record Authentication(int code, Buffer data) {

        public static Authentication decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            int code = r.readInt();
            return new Authentication(code, r.readSlice(r.remaining()));
        }
    }

    /** The interface for rewriting DataRow values; return {@code null} to keep a value as it is. */
    @FunctionalInterface
    public interface ValueRewriter {
        Buffer rewrite(int column, Buffer value);
    }

    /**
     * Rewrites a DataRow's values; returns the frame itself when nothing changed, else a new frame
     * with every length recomputed.
     */
    public static Buffer rewriteDataRow(Buffer frame, ValueRewriter rewriter) {
        PgReader r = PgReader.body(frame);
        int n = r.readUnsignedShort();
        List<Buffer> values = new ArrayList<>(n);
        boolean changed = false;
        for (int i = 0; i < n; i++) {
            int len = r.readInt();
            if (len < -1) {
                throw new PgProtocolException("DataRow value length " + len);
            }
            Buffer v = len < 0 ? null : r.readSlice(len);
            if (v != null) {
                Buffer nv = rewriter.rewrite(i, v);
                if (nv != null) {
                    v = nv;
                    changed = true;
                }
            }
            values.add(v);
        }
        return changed ? PgMessages.dataRow(values) : frame;
    }
}
