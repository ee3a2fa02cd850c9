package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.proxy.ProxyTestResource;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A raw protocol-3.0 client for tests that need exact frames: it writes what it is told, pipelined
 * or not, and reads the replies as they come. Text formats only.
 */
final class PgWire implements AutoCloseable {

    /** One server message: its type and body. */
    record Msg(char type, byte[] body) {

        /** ErrorResponse/NoticeResponse fields by code. */
        Map<Character, String> fields() {
            Map<Character, String> out = new LinkedHashMap<>();
            int i = 0;
            while (i < body.length && body[i] != 0) {
                char code = (char) body[i++];
                int end = i;
                while (body[end] != 0) {
                    end++;
                }
                out.put(code, new String(body, i, end - i, StandardCharsets.UTF_8));
                i = end + 1;
            }
            return out;
        }

        String sqlstate() {
            return fields().get('C');
        }

        /** A DataRow's values as text (null for SQL NULL). */
        List<String> values() {
            List<String> out = new ArrayList<>();
            int n = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
            int i = 2;
            for (int c = 0; c < n; c++) {
                int len = ((body[i] & 0xff) << 24)
                        | ((body[i + 1] & 0xff) << 16)
                        | ((body[i + 2] & 0xff) << 8)
                        | (body[i + 3] & 0xff);
                i += 4;
                if (len < 0) {
                    out.add(null);
                } else {
                    out.add(new String(body, i, len, StandardCharsets.UTF_8));
                    i += len;
                }
            }
            return out;
        }

        @Override
        public String toString() {
            return type == 'E' || type == 'N' ? type + fields().toString() : String.valueOf(type);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private PgWire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects, logs in with the token and reads up to the first ReadyForQuery. */
    static PgWire login(int port, String token, String applicationName) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        PgWire w = new PgWire(s);
        s.getOutputStream()
                .write(BadInputTest.startup(
                        "user",
                        "agent",
                        "database",
                        ProxyTestResource.CONNECTION,
                        "application_name",
                        applicationName));
        assertEquals('R', w.read().type());
        s.getOutputStream().write(BadInputTest.message('p', BadInputTest.cstr(token)));
        List<Msg> startup = w.untilReady();
        assertEquals('Z', startup.get(startup.size() - 1).type(), startup.toString());
        return w;
    }

    // ---- frames, buffered until send() ------------------------------------------------------------

    PgWire query(String sql) throws IOException {
        return frame('Q', body(b -> b.write(BadInputTest.cstr(sql))));
    }

    PgWire parse(String name, String sql) throws IOException {
        return frame('P', body(b -> {
            b.write(BadInputTest.cstr(name));
            b.write(BadInputTest.cstr(sql));
            b.writeShort(0);
        }));
    }

    /** Bind with text parameters, text results. */
    PgWire bind(String portal, String statement, String... params) throws IOException {
        return frame('B', body(b -> {
            b.write(BadInputTest.cstr(portal));
            b.write(BadInputTest.cstr(statement));
            b.writeShort(0);
            b.writeShort(params.length);
            for (String p : params) {
                byte[] v = p.getBytes(StandardCharsets.UTF_8);
                b.writeInt(v.length);
                b.write(v);
            }
            b.writeShort(0);
        }));
    }

    PgWire describe(char target, String name) throws IOException {
        return frame('D', body(b -> {
            b.write(target);
            b.write(BadInputTest.cstr(name));
        }));
    }

    PgWire execute(String portal, int maxRows) throws IOException {
        return frame('E', body(b -> {
            b.write(BadInputTest.cstr(portal));
            b.writeInt(maxRows);
        }));
    }

    PgWire close(char target, String name) throws IOException {
        return frame('C', body(b -> {
            b.write(target);
            b.write(BadInputTest.cstr(name));
        }));
    }

    PgWire sync() throws IOException {
        return frame('S', new byte[0]);
    }

    /** Writes everything buffered in one go (a pipeline, as drivers send it). */
    PgWire send() throws IOException {
        socket.getOutputStream().write(pending.toByteArray());
        socket.getOutputStream().flush();
        pending.reset();
        return this;
    }

    // ---- replies -------------------------------------------------------------------------------------

    Msg read() throws IOException {
        char type = (char) in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        return new Msg(type, body);
    }

    /** Messages up to and including the next ReadyForQuery (ParameterStatus and notices left out). */
    List<Msg> untilReady() throws IOException {
        List<Msg> out = new ArrayList<>();
        while (true) {
            Msg m = read();
            if (m.type() == 'S' || m.type() == 'N') {
                continue;
            }
            out.add(m);
            if (m.type() == 'Z') {
                return out;
            }
        }
    }

    /** Sends what is buffered and reads {@code n} ReadyForQuery-terminated answers. */
    List<List<Msg>> roundTrip(int n) throws IOException {
        send();
        List<List<Msg>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(untilReady());
        }
        return out;
    }

    /** The message types of an answer, e.g. "TDCZ". */
    static String types(List<Msg> answer) {
        StringBuilder b = new StringBuilder();
        answer.forEach(m -> b.append(m.type()));
        return b.toString();
    }

    static Msg first(List<Msg> answer, char type) {
        return answer.stream()
                .filter(m -> m.type() == type)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no '" + type + "' in " + answer));
    }

    @Override
    public void close() throws IOException {
        try {
            frame('X', new byte[0]).send();
        } catch (IOException e) {
            // already closed by the proxy
        }
        socket.close();
    }

    private interface Body {
        void write(DataOutputStream b) throws IOException;
    }

    private static byte[] body(Body body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.write(new DataOutputStream(out));
        return out.toByteArray();
    }

    private PgWire frame(char type, byte[] body) throws IOException {
        pending.write(BadInputTest.message(type, body));
        return this;
    }
}
