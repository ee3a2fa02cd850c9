package dev.portcullis.console.security;

import dev.portcullis.console.config.ConsoleConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Synchronizer tokens against cross-site request forgery: the token of a sign-in session is an HMAC of that session's
 * id (Keycloak's {@code sid}) and the user, under a key only the console holds. A page carries it; every state-changing
 * request must send it back in the {@code X-CSRF-Token} header, which another origin cannot set without a CORS
 * preflight the console never allows. Nothing is stored: the token is recomputed from the session.
 */
@ApplicationScoped
public class CsrfTokens {

    public static final String HEADER = "X-CSRF-Token";
    private static final String MAC = "HmacSHA256";

    private final SecretKeySpec key;

    CsrfTokens(ConsoleConfig config) {
        byte[] k = config.console()
                .csrfKey()
                .map(s -> Base64.getDecoder().decode(s.trim()))
                .orElseGet(() -> {
                    byte[] random = new byte[32];
                    new SecureRandom().nextBytes(random);
                    return random;
                });
        if (k.length < 32) {
            throw new IllegalStateException("portcullis.console.csrf-key must be at least 32 bytes (base64)");
        }
        this.key = new SecretKeySpec(k, MAC);
    }

    /** The token of one sign-in session ({@code sessionId}: Keycloak's {@code sid}; {@code subject}: the user). */
    public String token(String sessionId, String subject) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            byte[] tag = mac.doFinal(("csrf\n" + sessionId + "\n" + subject).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code presented} is this session's token (compared in constant time). */
    public boolean matches(String sessionId, String subject, String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(
                token(sessionId, subject).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.UTF_8));
    }
}
