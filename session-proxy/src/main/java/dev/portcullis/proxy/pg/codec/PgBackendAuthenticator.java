package dev.portcullis.proxy.pg.codec;

import com.ongres.scram.client.ScramClient;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The proxy's side of backend authentication: answers the server's Authentication requests with
 * the connection's stored credential (SCRAM-SHA-256 through the ongres SCRAM library, md5,
 * cleartext, or nothing for trust). One instance per backend connection.
 */
public final class PgBackendAuthenticator {

    /** The server asked for something the proxy will not do, or refused the credential. */
    public static final class AuthenticationException extends RuntimeException {
        public AuthenticationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final String user;
    private final char[] password;
    private ScramClient scram;
    private boolean done;

    public PgBackendAuthenticator(String user, char[] password) {
        this.user = user;
        this.password = password;
    }

    public boolean isDone() {
        return done;
    }

    /** Returns the message to send to the server, or {@code null} when nothing is to be sent. */
    public Buffer onAuthentication(PgBackendMessages.Authentication auth) {
        try {
            return switch (auth.code()) {
                case PgProtocol.AUTH_OK -> {
                    done = true;
                    yield null;
                }
                case PgProtocol.AUTH_CLEARTEXT_PASSWORD -> PgMessages.passwordMessage(new String(password));
                case PgProtocol.AUTH_MD5_PASSWORD -> PgMessages.passwordMessage(md5(auth.data()));
                case PgProtocol.AUTH_SASL -> saslStart(auth.data());
                case PgProtocol.AUTH_SASL_CONTINUE -> {
                    requireScram();
                    scram.serverFirstMessage(auth.data().toString(StandardCharsets.UTF_8));
                    yield PgMessages.saslResponse(scram.clientFinalMessage().toString());
                }
                case PgProtocol.AUTH_SASL_FINAL -> {
                    requireScram();
                    scram.serverFinalMessage(auth.data().toString(StandardCharsets.UTF_8));
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
        } catch (Exception e) {
            throw new AuthenticationException("backend SCRAM exchange failed: " + e.getMessage(), e);
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
