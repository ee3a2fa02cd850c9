package dev.portcullis.proxy.pg;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A server that answers the PostgreSQL handshake the way a hostile or misconfigured target would, for the refusals
 * a real PostgreSQL cannot be made to show (the happy path runs against dev-stack's PostgreSQL). Its behaviour is
 * chosen by the database the proxy asks for: {@code md5}, {@code cleartext} (asks for that password), {@code trust}
 * (AuthenticationOk at once), {@code badscram} (SCRAM with a signature of a key that is not the password's), {@code
 * okbeforefinal} (AuthenticationOk instead of the server-final-message). With a certificate it accepts SSLRequest.
 * It records what it received after the startup packet, per database.
 */
final class FakePgBackend implements AutoCloseable {

    /** One connection's record: what the proxy sent after its startup packet, and whether it came over TLS. */
    static final class Seen {
        final boolean tls;
        final List<Character> messages = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        Seen(boolean tls) {
            this.tls = tls;
        }
    }

    private final ServerSocket server;
    private final SSLContext tls;
    final Map<String, Seen> seen = new ConcurrentHashMap<>();
    /** TLS handshakes the proxy broke off (its certificate checks refused ours). */
    final List<String> failedHandshakes = new CopyOnWriteArrayList<>();

    FakePgBackend(Path certFile, Path keyFile) throws Exception {
        this.tls = certFile == null ? null : sslContext(certFile, keyFile);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fake-pg-backend").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket plain) {
        Seen record = null;
        try (Socket s0 = plain) {
            Socket s = s0;
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readInt();
            int code = in.readInt();
            boolean overTls = false;
            if (code == 80877103) { // SSLRequest
                OutputStream o = s.getOutputStream();
                if (tls == null) {
                    o.write('N');
                } else {
                    o.write('S');
                    o.flush();
                    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), false);
                    ssl.setUseClientMode(false);
                    try {
                        ssl.startHandshake();
                    } catch (IOException e) {
                        failedHandshakes.add(e.getMessage());
                        return;
                    }
                    s = ssl;
                    overTls = true;
                    in = new DataInputStream(s.getInputStream());
                }
                len = in.readInt();
                code = in.readInt();
            }
            byte[] params = new byte[len - 8];
            in.readFully(params);
            String database = param(params, "database");
            record = new Seen(overTls);
            seen.put(database, record);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            switch (database) {
                case "md5", "tls" -> auth(out, 5, new byte[] {1, 2, 3, 4});
                case "cleartext" -> auth(out, 3, new byte[0]);
                case "trust" -> auth(out, 0, new byte[0]);
                case "badscram", "okbeforefinal" -> scram(in, out, record, database.equals("badscram"));
                default -> auth(out, 5, new byte[] {1, 2, 3, 4});
            }
            readUntilEof(in, record);
        } catch (IOException e) {
            // the proxy closed the connection
        } finally {
            if (record != null) {
                record.closed.countDown();
            }
        }
    }

    private static void scram(DataInputStream in, DataOutputStream out, Seen record, boolean forgedFinal)
            throws IOException {
        auth(out, 10, "SCRAM-SHA-256\0\0".getBytes(StandardCharsets.US_ASCII));
        byte[] initial = message(in, record);
        // SASLInitialResponse: mechanism\0, int32 length, client-first-message "n,,n=*,r=<nonce>"
        int zero = 0;
        while (initial[zero] != 0) {
            zero++;
        }
        String clientFirst = new String(initial, zero + 5, initial.length - zero - 5, StandardCharsets.UTF_8);
        String nonce = clientFirst.substring(clientFirst.indexOf("r=") + 2);
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String serverFirst = "r=" + nonce + "fake,s=" + Base64.getEncoder().encodeToString(salt) + ",i=4096";
        auth(out, 11, serverFirst.getBytes(StandardCharsets.UTF_8));
        message(in, record); // the client-final-message with its proof
        if (forgedFinal) {
            byte[] signature = new byte[32];
            new SecureRandom().nextBytes(signature);
            auth(out, 12, ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.UTF_8));
        }
        auth(out, 0, new byte[0]);
    }

    private static void auth(DataOutputStream out, int code, byte[] data) throws IOException {
        out.write('R');
        out.writeInt(8 + data.length);
        out.writeInt(code);
        out.write(data);
        out.flush();
    }

    private static byte[] message(DataInputStream in, Seen record) throws IOException {
        char type = (char) in.readUnsignedByte();
        record.messages.add(type);
        byte[] body = new byte[in.readInt() - 4];
        in.readFully(body);
        return body;
    }

    private static void readUntilEof(DataInputStream in, Seen record) throws IOException {
        try {
            while (true) {
                message(in, record);
            }
        } catch (EOFException e) {
            // closed
        }
    }

    private static String param(byte[] params, String name) {
        String[] parts = new String(params, StandardCharsets.UTF_8).split("\0");
        for (int i = 0; i + 1 < parts.length; i += 2) {
            if (parts[i].equals(name)) {
                return parts[i + 1];
            }
        }
        return "";
    }

    private static SSLContext sslContext(Path certFile, Path keyFile) throws Exception {
        Certificate cert;
        try (var cin = Files.newInputStream(certFile)) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(cin);
        }
        String pem =
                Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var key = KeyFactory.getInstance("EC")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("fake", key, "changeit".toCharArray(), new Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
