package dev.portcullis.proxy.pg.codec;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The proxy's side of backend authentication: answers the server's Authentication requests with the connection's
 * stored credential, and trusts the server only once it has proven itself (docs/architecture.md "Connections",
 * {@code backendAuth}). SCRAM-SHA-256 goes through the ongres SCRAM library, which checks the server's signature in
 * the server-final-message; an AuthenticationOk before that check passed is refused, as is a method the
 * connection does not accept: {@code md5} and cleartext {@code password} hand a replayable hash or the password
 * to whoever answers at the target's address, {@code none} (an AuthenticationOk with no challenge) accepts a
 * server that proved nothing. One instance per backend connection.
 */
public final class PgBackendAuthenticator {

    /** The server asked for something the proxy will not do, or refused the credential. */
    public static final class AuthenticationException extends RuntimeException {
        public AuthenticationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The methods of libpq's {@code require_auth}, as the connections file names them. */
    public enum Method {
        SCRAM_SHA_256("scram-sha-256"),
        MD5("md5"),
        PASSWORD("password"),
        NONE("none");

        private final String id;

        Method(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private final String user;
    private final char[] password;
    private final Set<Method> accepted;
    private ScramClient scram;
    /** The SCRAM server signature was checked (server-final-message). */
    private boolean serverVerified;
    /** A password (cleartext or md5) was sent: the server asked for one the connection accepts. */
    private Method sent;

    private boolean done;

    /** A server that accepts the SCRAM-SHA-256 method only (the connections file's default). */
    public PgBackendAuthenticator(String user, char[] password) {
        this(user, password, Set.of(Method.SCRAM_SHA_256));
    }

    /** @param accepted the methods the connection accepts ({@code backendAuth}) */
    public PgBackendAuthenticator(String user, char[] password, Set<Method> accepted) {
        this.user = user;
        this.password = password;
        this.accepted = Set.copyOf(accepted);
    }

    public boolean isDone() {
        return done;
    }

    /** Returns the message to send to the server, or {@code null} when nothing is to be sent. */
    public Buffer onAuthentication(PgBackendMessages.Authentication auth) {
        try {
            return switch (auth.code()) {
                case PgProtocol.AUTH_OK -> {
                    onOk();
                    yield null;
                }
                case PgProtocol.AUTH_CLEARTEXT_PASSWORD -> {
                    require(Method.PASSWORD, "a cleartext password");
                    yield PgMessages.passwordMessage(new String(password));
                }
                case PgProtocol.AUTH_MD5_PASSWORD -> {
                    require(Method.MD5, "an md5 password");
                    yield PgMessages.passwordMessage(md5(auth.data()));
                }
                case PgProtocol.AUTH_SASL -> {
                    require(Method.SCRAM_SHA_256, "SASL");
                    yield saslStart(auth.data());
                }
                case PgProtocol.AUTH_SASL_CONTINUE -> {
                    requireScram();
                    scram.serverFirstMessage(auth.data().toString(StandardCharsets.UTF_8));
                    yield PgMessages.saslResponse(scram.clientFinalMessage().toString());
                }
                case PgProtocol.AUTH_SASL_FINAL -> {
                    requireScram();
                    // throws ScramInvalidServerSignatureException when the server's proof does not verify
                    scram.serverFinalMessage(auth.data().toString(StandardCharsets.UTF_8));
                    serverVerified = true;
                    yield null;
                }
                default ->
                    throw new AuthenticationException(
                            "backend asked for unsupported authentication method " + auth.code()
                                    + " (supported: SCRAM-SHA-256, md5, password, trust)",
                            null);
            };
        } catch (AuthenticationException e) {
            throw e;
        } catch (ScramInvalidServerSignatureException e) {
            throw new AuthenticationException(
                    "the backend's SCRAM server signature does not verify: it does not know the credential", e);
        } catch (Exception e) {
            throw new AuthenticationException("backend SCRAM exchange failed: " + e.getMessage(), e);
        }
    }

    /** AuthenticationOk: accepted only after the server proved itself, or as the connection allows. */
    private void onOk() {
        if (scram != null && !serverVerified) {
            throw new AuthenticationException(
                    "backend reported success before its SCRAM server signature was verified", null);
        }
        if (scram == null && sent == null && !accepted.contains(Method.NONE)) {
            throw new AuthenticationException(
                    "backend accepted the session without authenticating (trust); the connection's backendAuth"
                            + " does not allow none",
                    null);
        }
        done = true;
    }

    private void require(Method method, String what) {
        if (!accepted.contains(method)) {
            throw new AuthenticationException(
                    "backend asked for " + what + "; the connection's backendAuth does not allow " + method.id(), null);
        }
        if (scram != null || sent != null) {
            throw new AuthenticationException("backend asked for a second authentication method", null);
        }
        if (method != Method.SCRAM_SHA_256) {
            sent = method;
        }
    }

    private void requireScram() {
        if (scram == null) {
            throw new AuthenticationException("backend sent a SASL continuation without a SASL start", null);
        }
    }

    private Buffer saslStart(Buffer data) {
        List<String> mechanisms = new ArrayList<>();
        PgReader r = new PgReader(data, 0);
        while (r.remaining() > 0) {
            String m = r.readCString();
            if (m.isEmpty()) {
                break;
            }
            mechanisms.add(m);
        }
        if (!mechanisms.contains("SCRAM-SHA-256")) {
            throw new AuthenticationException(
                    "backend offers SASL mechanisms " + mechanisms + " but not SCRAM-SHA-256", null);
        }
        // Channel binding (SCRAM-SHA-256-PLUS) needs the TLS certificate hash; plain SCRAM is offered too.
        scram = ScramClient.builder()
                .advertisedMechanisms(List.of("SCRAM-SHA-256"))
                .username("*")
                .password(password)
                .build();
        return PgMessages.saslInitialResponse(
                scram.getScramMechanism().getName(), scram.clientFirstMessage().toString());
    }

    private String md5(Buffer salt) throws NoSuchAlgorithmException {
        if (salt.length() != 4) {
            throw new AuthenticationException("md5 salt must be 4 bytes", null);
        }
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(new String(password).getBytes(StandardCharsets.UTF_8));
        md.update(user.getBytes(StandardCharsets.UTF_8));
        String inner = HexFormat.of().formatHex(md.digest());
        md.reset();
        md.update(inner.getBytes(StandardCharsets.US_ASCII));
        md.update(salt.getBytes());
        return "md5" + HexFormat.of().formatHex(md.digest());
    }

    @Override
    public String toString() {
        return "PgBackendAuthenticator[user=" + user + ", password=***]";
    }
}
