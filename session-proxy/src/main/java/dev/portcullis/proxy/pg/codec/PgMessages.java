package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Encoders for the messages the proxy writes itself, in either direction. */
public final class PgMessages {

    private PgMessages() {}

    /** Starts a typed message; {@link #finish} writes its length. */
    static Buffer start(byte type, int sizeHint) {
        return Buffer.buffer(5 + sizeHint).appendByte(type).appendInt(0);
    }

    static Buffer finish(Buffer b) {
        b.setInt(1, b.length() - 1);
        return b;
    }

    static Buffer cstring(Buffer b, String s) {
        return b.appendBytes(s.getBytes(StandardCharsets.UTF_8)).appendByte((byte) 0);
    }

    // ---- backend → client -------------------------------------------------------------------

    public static Buffer authenticationRequest(int code) {
        return finish(start(PgProtocol.AUTHENTICATION, 4).appendInt(code));
    }

    public static Buffer parameterStatus(String name, String value) {
        return finish(cstring(cstring(start(PgProtocol.PARAMETER_STATUS, 32), name), value));
    }

    public static Buffer backendKeyData(int pid, int secret) {
        return finish(start(PgProtocol.BACKEND_KEY_DATA, 8).appendInt(pid).appendInt(secret));
    }

    public static Buffer readyForQuery(byte txStatus) {
        return finish(start(PgProtocol.READY_FOR_QUERY, 1).appendByte(txStatus));
    }

    public static Buffer errorResponse(String severity, String sqlstate, String message) {
        return fields(PgProtocol.ERROR_RESPONSE, severity, sqlstate, message);
    }

    public static Buffer noticeResponse(String sqlstate, String message) {
        return fields(PgProtocol.NOTICE_RESPONSE, "NOTICE", sqlstate, message);
    }

    private static Buffer fields(byte type, String severity, String sqlstate, String message) {
        Buffer b = start(type, 64 + message.length());
        cstring(b.appendByte(PgProtocol.FIELD_SEVERITY), severity);
        cstring(b.appendByte(PgProtocol.FIELD_SEVERITY_NONLOCALIZED), severity);
        cstring(b.appendByte(PgProtocol.FIELD_CODE), sqlstate);
        cstring(b.appendByte(PgProtocol.FIELD_MESSAGE), message);
        return finish(b.appendByte((byte) 0));
    }

    /** The SSLRequest/GSSENCRequest answers: a single byte, not a message. */
    public static Buffer singleByte(char c) {
        return Buffer.buffer(1).appendByte((byte) c);
    }

    // ---- proxy → backend -------------------------------------------------------------------

    public static Buffer startupMessage(Map<String, String> params) {
        Buffer b = Buffer.buffer(128).appendInt(0).appendInt(PgProtocol.PROTOCOL_3_0);
        params.forEach((k, v) -> cstring(cstring(b, k), v));
        b.appendByte((byte) 0);
        b.setInt(0, b.length());
        return b;
    }

    public static Buffer sslRequest() {
        return Buffer.buffer(8).appendInt(8).appendInt(PgProtocol.SSL_REQUEST);
    }

    public static Buffer cancelRequest(int pid, int secret) {
        return Buffer.buffer(16)
                .appendInt(16)
                .appendInt(PgProtocol.CANCEL_REQUEST)
                .appendInt(pid)
                .appendInt(secret);
    }

    public static Buffer passwordMessage(String password) {
        return finish(cstring(start(PgProtocol.PASSWORD_MESSAGE, password.length() + 1), password));
    }

    public static Buffer saslInitialResponse(String mechanism, String clientFirst) {
        byte[] data = clientFirst.getBytes(StandardCharsets.UTF_8);
        return finish(cstring(start(PgProtocol.PASSWORD_MESSAGE, 64 + data.length), mechanism)
                .appendInt(data.length)
                .appendBytes(data));
    }

    public static Buffer saslResponse(String clientFinal) {
        return finish(start(PgProtocol.PASSWORD_MESSAGE, clientFinal.length())
                .appendBytes(clientFinal.getBytes(StandardCharsets.UTF_8)));
    }

    public static Buffer query(String sql) {
        return finish(cstring(start(PgProtocol.QUERY, sql.length() + 1), sql));
    }

    public static Buffer parse(String name, String sql) {
        return finish(cstring(cstring(start(PgProtocol.PARSE, sql.length() + 8), name), sql)
                .appendShort((short) 0));
    }

    /** Bind without parameters, all results in text format. */
    public static Buffer bind(String portal, String statement) {
        return finish(cstring(cstring(start(PgProtocol.BIND, 16), portal), statement)
                .appendShort((short) 0)
                .appendShort((short) 0)
                .appendShort((short) 0));
    }

    public static Buffer describe(byte target, String name) {
        return finish(cstring(start(PgProtocol.DESCRIBE, name.length() + 2).appendByte(target), name));
    }

    public static Buffer execute(String portal, int maxRows) {
        return finish(
                cstring(start(PgProtocol.EXECUTE, portal.length() + 5), portal).appendInt(maxRows));
    }

    public static Buffer sync() {
        return finish(start(PgProtocol.SYNC, 0));
    }

    public static Buffer flush() {
        return finish(start(PgProtocol.FLUSH, 0));
    }

    public static Buffer terminate() {
        return finish(start(PgProtocol.TERMINATE, 0));
    }

    /** A DataRow from already encoded column values ({@code null} = SQL NULL). */
    public static Buffer dataRow(List<Buffer> values) {
        int size = 2;
        for (Buffer v : values) {
            size += 4 + (v == null ? 0 : v.length());
        }
        Buffer b = start(PgProtocol.DATA_ROW, size).appendShort((short) values.size());
        for (Buffer v : values) {
            if (v == null) {
                b.appendInt(-1);
            } else {
                b.appendInt(v.length()).appendBuffer(v);
            }
        }
        return finish(b);
    }
}
