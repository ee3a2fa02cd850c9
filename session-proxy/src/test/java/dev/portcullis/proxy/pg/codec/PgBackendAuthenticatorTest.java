package dev.portcullis.proxy.pg.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.pg.codec.PgBackendAuthenticator.AuthenticationException;
import dev.portcullis.proxy.pg.codec.PgBackendAuthenticator.Method;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The proxy's side of backend authentication against a server played here message by message: SCRAM-SHA-256 with
 * the server's proof computed as RFC 5802 says (right, wrong, missing), and the methods the connection's {@code
 * backendAuth} does or does not allow. The happy path against a real PostgreSQL runs in every gateway test.
 */
class PgBackendAuthenticatorTest {

    static final String PASSWORD = "s3cret-backend-pw";

    static PgBackendMessages.Authentication auth(int code, Buffer data) {
        return new PgBackendMessages.Authentication(code, data);
    }

    static PgBackendMessages.Authentication auth(int code, String data) {
        return auth(code, Buffer.buffer(data, "UTF-8"));
    }

    static PgBackendMessages.Authentication sasl(String... mechanisms) {
        Buffer b = Buffer.buffer();
        for (String m : mechanisms) {
            b.appendString(m).appendByte((byte) 0);
        }
        return auth(PgProtocol.AUTH_SASL, b.appendByte((byte) 0));
    }

    /** A SCRAM-SHA-256 server that knows {@link #PASSWORD}, or claims to. */
    static final class ScramServer {
        final byte[] salt = new byte[16];
        final int iterations = 4096;
        String clientFirstBare;
        String serverFirst;

        ScramServer() {
            new SecureRandom().nextBytes(salt);
        }

        /** Reads SASLInitialResponse: mechanism, then the client-first-message. */
        String serverFirst(Buffer initialResponse) {
            PgReader r = PgReader.body(initialResponse);
            assertEquals("SCRAM-SHA-256", r.readCString());
            int len = r.readInt();
            String clientFirst = r.readSlice(len).toString(StandardCharsets.UTF_8);
            assertTrue(clientFirst.startsWith("n,,"), clientFirst);
            clientFirstBare = clientFirst.substring(3);
            String clientNonce = clientFirstBare.substring(clientFirstBare.indexOf("r=") + 2);
            serverFirst = "r=" + clientNonce + "srvnonce" + ",s="
                    + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
            return serverFirst;
        }

        /** The server-final-message for the client's SASLResponse, signed with {@code password}'s ServerKey. */
        String serverFinal(Buffer response, String password) throws Exception {
            String clientFinal =
                    PgReader.body(response).readSlice(response.length() - 5).toString(StandardCharsets.UTF_8);
            String withoutProof = clientFinal.substring(0, clientFinal.indexOf(",p="));
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = f.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
                    .getEncoded();
            byte[] serverKey = hmac(salted, "Server Key");
            return "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage));
        }

        static byte[] hmac(byte[] key, String data) throws Exception {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void scramWithTheServersValidSignatureSucceeds() throws Exception {
        PgBackendAuthenticator a = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        ScramServer server = new ScramServer();
        Buffer initial = a.onAuthentication(sasl("SCRAM-SHA-256"));
        Buffer response = a.onAuthentication(auth(PgProtocol.AUTH_SASL_CONTINUE, server.serverFirst(initial)));
        assertNull(a.onAuthentication(auth(PgProtocol.AUTH_SASL_FINAL, server.serverFinal(response, PASSWORD))));
        assertFalse(a.isDone());
        assertNull(a.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertTrue(a.isDone());
    }

    @Test
    void aWrongServerSignatureFailsTheSession() throws Exception {
        PgBackendAuthenticator a = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        ScramServer impostor = new ScramServer();
        Buffer initial = a.onAuthentication(sasl("SCRAM-SHA-256"));
        Buffer response = a.onAuthentication(auth(PgProtocol.AUTH_SASL_CONTINUE, impostor.serverFirst(initial)));
        // an impostor that does not know the password signs with another key
        String forged = impostor.serverFinal(response, "not-the-password");
        AuthenticationException e = assertThrows(
                AuthenticationException.class, () -> a.onAuthentication(auth(PgProtocol.AUTH_SASL_FINAL, forged)));
        assertTrue(e.getMessage().contains("server signature does not verify"), e.getMessage());
        assertFalse(a.isDone());
        // and its AuthenticationOk is not believed either
        assertThrows(
                AuthenticationException.class, () -> a.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertFalse(a.isDone());
    }

    @Test
    void successBeforeTheServerFinalMessageIsRefused() throws Exception {
        PgBackendAuthenticator a = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        ScramServer impostor = new ScramServer();
        Buffer initial = a.onAuthentication(sasl("SCRAM-SHA-256"));
        a.onAuthentication(auth(PgProtocol.AUTH_SASL_CONTINUE, impostor.serverFirst(initial)));
        AuthenticationException e = assertThrows(
                AuthenticationException.class, () -> a.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertTrue(e.getMessage().contains("before its SCRAM server signature was verified"), e.getMessage());
        assertFalse(a.isDone());
    }

    @Test
    void md5AndCleartextAreRefusedByDefaultAndNoPasswordLeaves() {
        PgBackendAuthenticator md5 = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        AuthenticationException e = assertThrows(
                AuthenticationException.class,
                () -> md5.onAuthentication(auth(PgProtocol.AUTH_MD5_PASSWORD, Buffer.buffer(new byte[] {1, 2, 3, 4}))));
        assertTrue(e.getMessage().contains("does not allow md5"), e.getMessage());
        PgBackendAuthenticator clear = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        e = assertThrows(
                AuthenticationException.class,
                () -> clear.onAuthentication(auth(PgProtocol.AUTH_CLEARTEXT_PASSWORD, Buffer.buffer())));
        assertTrue(e.getMessage().contains("does not allow password"), e.getMessage());
        assertFalse(e.getMessage().contains(PASSWORD));
    }

    @Test
    void aServerThatAsksForNothingIsRefusedUnlessNoneIsAllowed() {
        PgBackendAuthenticator strict = new PgBackendAuthenticator("app", PASSWORD.toCharArray());
        AuthenticationException e = assertThrows(
                AuthenticationException.class,
                () -> strict.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertTrue(e.getMessage().contains("does not allow none"), e.getMessage());
        assertFalse(strict.isDone());
        PgBackendAuthenticator trusting =
                new PgBackendAuthenticator("app", PASSWORD.toCharArray(), Set.of(Method.SCRAM_SHA_256, Method.NONE));
        assertNull(trusting.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertTrue(trusting.isDone());
    }

    @Test
    void md5AndCleartextAreAnsweredWhenTheConnectionAllowsThem() {
        PgBackendAuthenticator md5 = new PgBackendAuthenticator("app", PASSWORD.toCharArray(), Set.of(Method.MD5));
        Buffer reply = md5.onAuthentication(auth(PgProtocol.AUTH_MD5_PASSWORD, Buffer.buffer(new byte[] {1, 2, 3, 4})));
        String hash = PgReader.body(reply).readCString();
        assertTrue(hash.matches("md5[0-9a-f]{32}"), hash);
        assertNull(md5.onAuthentication(auth(PgProtocol.AUTH_OK, Buffer.buffer())));
        assertTrue(md5.isDone());
        PgBackendAuthenticator clear =
                new PgBackendAuthenticator("app", PASSWORD.toCharArray(), Set.of(Method.PASSWORD));
        assertEquals(
                PASSWORD,
                PgReader.body(clear.onAuthentication(auth(PgProtocol.AUTH_CLEARTEXT_PASSWORD, Buffer.buffer())))
                        .readCString());
        // a server allowed md5 only cannot switch to SCRAM or ask twice
        PgBackendAuthenticator only = new PgBackendAuthenticator("app", PASSWORD.toCharArray(), Set.of(Method.MD5));
        assertThrows(AuthenticationException.class, () -> only.onAuthentication(sasl("SCRAM-SHA-256")));
    }

    @Test
    void aSecondPasswordRequestAfterScramIsRefused() throws Exception {
        PgBackendAuthenticator a = new PgBackendAuthenticator(
                "app", PASSWORD.toCharArray(), Set.of(Method.SCRAM_SHA_256, Method.PASSWORD));
        a.onAuthentication(sasl("SCRAM-SHA-256"));
        // a server that started SCRAM and then asks for the cleartext password gets nothing
        AuthenticationException e = assertThrows(
                AuthenticationException.class,
                () -> a.onAuthentication(auth(PgProtocol.AUTH_CLEARTEXT_PASSWORD, Buffer.buffer())));
        assertTrue(e.getMessage().contains("second authentication method"), e.getMessage());
    }
}
