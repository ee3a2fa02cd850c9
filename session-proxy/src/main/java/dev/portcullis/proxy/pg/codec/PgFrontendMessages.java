package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decoders for the client messages the proxy has to understand, one record per message. */
public final class PgFrontendMessages {

    private PgFrontendMessages() {}

    /** StartupMessage: protocol version and parameters (user, database, options, …). */
    public record StartupMessage(int protocol, Map<String, String> parameters) {

        public static StartupMessage decode(Buffer packet, int maxParameters) {
            PgReader r = new PgReader(packet, 4);
            int protocol = r.readInt();
            Map<String, String> params = new LinkedHashMap<>();
            if (protocol == PgProtocol.PROTOCOL_3_0) {
                while (r.remaining() > 1) {
                    String key = r.readCString();
                    if (key.isEmpty()) {
                        break;
                    }
                    params.put(key, r.readCString());
                    if (params.size() > maxParameters) {
                        throw new PgProtocolException("too many startup parameters (limit " + maxParameters + ")");
                    }
                }
            }
            return new StartupMessage(protocol, Collections.unmodifiableMap(params));
        }
    }

    /** CancelRequest: the key the client got in BackendKeyData. */
    public record CancelRequest(int processId, int secretKey) {

        public static CancelRequest decode(Buffer packet) {
            if (packet.length() != 16) {
                throw new PgProtocolException("CancelRequest must be 16 bytes");
            }
            return new CancelRequest(packet.getInt(8), packet.getInt(12));
        }
    }

    /** PasswordMessage: for the proxy, the agent's token. Its toString never shows it. */
    public record PasswordMessage(String password) {

        public static PasswordMessage decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            return new PasswordMessage(r.readCString());
        }

        @Override
        public String toString() {
            return "PasswordMessage[***]";
        }
    }

    public record Query(String sql) {

        public static Query decode(Buffer frame) {
            return new Query(PgReader.body(frame).readCString());
        }
    }

    public record Parse(String statement, String sql, int[] parameterTypes) {

        public static Parse decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            String name = r.readCString();
            String sql = r.readCString();
            int n = r.readUnsignedShort();
            int[] types = new int[n];
            for (int i = 0; i < n; i++) {
                types[i] = r.readInt();
            }
            return new Parse(name, sql, types);
        }
    }

    /**
     * Bind: parameter values stay slices of the frame; {@code null} is SQL NULL. Formats: 0 text,
     * 1 binary, per PostgreSQL's rules for 0, 1 or n format codes.
     */
    public record Bind(
            String portal, String statement, short[] parameterFormats, List<Buffer> parameters, short[] resultFormats) {

        public static Bind decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            String portal = r.readCString();
            String statement = r.readCString();
            short[] pf = new short[r.readUnsignedShort()];
            for (int i = 0; i < pf.length; i++) {
                pf[i] = r.readShort();
            }
            int n = r.readUnsignedShort();
            List<Buffer> params = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int len = r.readInt();
                params.add(len < 0 ? null : r.readSlice(len));
            }
            short[] rf = new short[r.readUnsignedShort()];
            for (int i = 0; i < rf.length; i++) {
                rf[i] = r.readShort();
            }
            return new Bind(portal, statement, pf, params, rf);
        }

        public short parameterFormat(int index) {
            return parameterFormats.length == 0
                    ? 0
                    : parameterFormats.length == 1 ? parameterFormats[0] : parameterFormats[index];
        }

        public short resultFormat(int column) {
            return resultFormats.length == 0
                    ? 0
                    : resultFormats.length == 1
                            ? resultFormats[0]
                            : column < resultFormats.length ? resultFormats[column] : 0;
        }
    }

    /** Describe and Close share a shape: target 'S' (statement) or 'P' (portal) and a name. */
    public record Target(byte kind, String name) {

        public static Target decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            byte kind = r.readByte();
            if (kind != PgProtocol.TARGET_STATEMENT && kind != PgProtocol.TARGET_PORTAL) {
                throw new PgProtocolException("Describe/Close target must be 'S' or 'P'");
            }
            return new Target(kind, r.readCString());
        }
    }

    public record Execute(String portal, int maxRows) {

        public static Execute decode(Buffer frame) {
            PgReader r = PgReader.body(frame);
            return new Execute(r.readCString(), r.readInt());
        }
    }
}
