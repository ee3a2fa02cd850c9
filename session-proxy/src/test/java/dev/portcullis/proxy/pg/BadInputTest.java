package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Malformed, truncated, oversized and random frames: the offender is closed, everyone else carries on. */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class BadInputTest {

    @Inject
    PgListener listener;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
    }

    private Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        return s;
    }

    static byte[] startup(String... kv) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt(196608);
        for (String s : kv) {
            d.write(s.getBytes(StandardCharsets.UTF_8));
            d.write(0);
        }
        d.write(0);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DataOutputStream(out).writeInt(b.length + 4);
        out.write(b);
        return out.toByteArray();
    }

    static byte[] message(char type, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(type);
        d.writeInt(body.length + 4);
        d.write(body);
        return out.toByteArray();
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** Reads messages until ReadyForQuery or an ErrorResponse; returns the type of the last one, or 0 at EOF. */
    static char readUntilReadyOrError(DataInputStream in, StringBuilder errors) throws IOException {
        try {
            while (true) {
                char type = (char) in.readUnsignedByte();
                int len = in.readInt();
                byte[] body = new byte[len - 4];
                in.readFully(body);
                if (type == 'E') {
                    errors.append(new String(body, StandardCharsets.UTF_8));
                    return 'E';
                }
                if (type == 'Z') {
                    return 'Z';
                }
            }
        } catch (EOFException e) {
            return 0;
        }
    }

    /** True once the proxy closed the connection (EOF), after draining what it sent. */
    static boolean closedByProxy(Socket s) throws IOException {
        try {
            while (s.getInputStream().read() >= 0) {
                // drain the error it may have sent first
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private Socket authenticated() throws IOException {
        Socket s = open();
        s.getOutputStream().write(startup("user", "agent", "database", ProxyTestResource.CONNECTION));
        DataInputStream in = new DataInputStream(s.getInputStream());
        assertEquals('R', (char) in.readUnsignedByte());
        in.readFully(new byte[8]);
        s.getOutputStream().write(message('p', cstr(token)));
        StringBuilder errors = new StringBuilder();
        assertEquals('Z', readUntilReadyOrError(in, errors), errors.toString());
        return s;
    }

    @Test
    void oversizedStartupPacketGetsAClearErrorAndIsClosed() throws Exception {
        try (Socket s = open()) {
            new DataOutputStream(s.getOutputStream()).writeInt(Integer.MAX_VALUE);
            DataInputStream in = new DataInputStream(s.getInputStream());
            StringBuilder errors = new StringBuilder();
            assertEquals('E', readUntilReadyOrError(in, errors));
            assertTrue(errors.toString().contains("max-startup-packet"), errors.toString());
            assertTrue(closedByProxy(s));
        }
    }

    @Test
    void oversizedMessageAfterLoginIsRefusedByItsLengthAlone() throws Exception {
        try (Socket s = authenticated()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.write('Q');
            out.writeInt(512 * 1024 * 1024); // nothing else is sent: the length alone must be refused
            out.flush();
            StringBuilder errors = new StringBuilder();
            assertEquals('E', readUntilReadyOrError(new DataInputStream(s.getInputStream()), errors));
            assertTrue(errors.toString().contains("max-message-size"), errors.toString());
            assertTrue(closedByProxy(s));
        }
    }

    @Test
    void wrongProtocolVersionAndGssEncAreRefused() throws Exception {
        try (Socket s = open()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877104); // GSSENCRequest
            assertEquals('N', (char) s.getInputStream().read());
            out.writeInt(8);
            out.writeInt(80877103); // SSLRequest, no TLS configured in tests
            assertEquals('N', (char) s.getInputStream().read());
            byte[] v2 = startup("user", "x");
            v2[4] = 0;
            v2[5] = 2; // protocol 2.0
            out.write(v2);
            StringBuilder errors = new StringBuilder();
            assertEquals('E', readUntilReadyOrError(new DataInputStream(s.getInputStream()), errors));
            assertTrue(errors.toString().contains("unsupported frontend protocol"), errors.toString());
            assertTrue(closedByProxy(s));
        }
    }

    @Test
    void silentClientIsDroppedAfterTheStartupTimeout() throws Exception {
        try (Socket s = open()) {
            s.setSoTimeout(8000);
            long t0 = System.nanoTime();
            assertTrue(closedByProxy(s));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 2500 && ms < 7000, "closed after the 3 s startup timeout, took " + ms + " ms");
        }
    }

    @Test
    void randomAndMutatedFramesNeverHurtOtherSessions() throws Exception {
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicInteger healthyQueries = new AtomicInteger();
        CompletableFuture<Void> bystander = CompletableFuture.runAsync(() -> {
            try (Connection c = PgClients.jdbc(port, token, "bystander");
                    Statement st = c.createStatement()) {
                while (fuzzing.get()) {
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM scratch")) {
                        rs.next();
                        assertEquals(5, rs.getInt(1));
                        healthyQueries.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Random random = new Random(42);
        byte[] valid = startup("user", "agent", "database", ProxyTestResource.CONNECTION);
        // before login: random bytes, and valid startup packets with random mutations
        for (int i = 0; i < 300; i++) {
            try (Socket s = open()) {
                s.setSoTimeout(4000);
                byte[] frame;
                if (i % 3 == 0) {
                    frame = new byte[1 + random.nextInt(200)];
                    random.nextBytes(frame);
                } else {
                    frame = valid.clone();
                    for (int m = 0; m <= random.nextInt(4); m++) {
                        frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
                    }
                    if (i % 5 == 0) {
                        frame = java.util.Arrays.copyOf(frame, random.nextInt(frame.length)); // truncated
                    }
                }
                s.getOutputStream().write(frame);
                s.shutdownOutput();
                assertTrue(closedByProxy(s), "proxy closed fuzz connection " + i);
            } catch (IOException e) {
                // a reset is an acceptable way to be shown the door
            }
        }
        // after login: random typed frames, valid types with random bodies
        char[] types = {'Q', 'P', 'B', 'D', 'E', 'C', 'S', 'H', 'd', 'c', 'f', 'F', 'Z', '?', 0};
        for (int i = 0; i < 40; i++) {
            try (Socket s = authenticated()) {
                s.setSoTimeout(4000);
                byte[] body = new byte[random.nextInt(64)];
                random.nextBytes(body);
                s.getOutputStream().write(message(types[random.nextInt(types.length)], body));
                s.getOutputStream().write(message('X', new byte[0]));
                s.shutdownOutput();
                assertTrue(closedByProxy(s), "proxy ended session " + i);
            } catch (IOException e) {
                // reset by the proxy: fine
            }
        }
        fuzzing.set(false);
        bystander.get(30, TimeUnit.SECONDS);
        assertTrue(healthyQueries.get() > 10, "the bystander kept working: " + healthyQueries.get());
        // and new sessions still work
        PgClients.Result r = PgClients.psql(port, token, "-c", "SELECT 'still serving'");
        assertEquals(0, r.exit(), r.err());
        assertEquals("still serving", r.out().strip());
    }
}
