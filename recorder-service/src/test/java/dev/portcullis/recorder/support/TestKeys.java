package dev.portcullis.recorder.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.recorder.events.JsonSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The keys of this test run, as `up` makes them for a dev stack: the recording signing key (PEM pair) and the
 * secret session-proxy shares with the recorder to tag session events. Written once under {@code target/test-keys}
 * and given to the recorder by {@link RecorderDevStack}; tests tag the events they produce as the proxy would.
 */
public final class TestKeys {

    private static final Path DIR = Path.of("target", "test-keys").toAbsolutePath();
    public static final Path SIGNING_KEY = DIR.resolve("recording-signing-key.pem");
    public static final Path EVENT_SECRET = DIR.resolve("session-event-key");

    private static KeyPair pair;
    private static byte[] secret;

    private TestKeys() {}

    public static synchronized KeyPair signingKey() {
        if (pair == null) {
            try {
                Files.createDirectories(DIR);
                if (!Files.exists(SIGNING_KEY)) {
                    Files.writeString(SIGNING_KEY, SigningKeys.toPem(SigningKeys.generate()));
                }
                pair = SigningKeys.readKeyPair(SIGNING_KEY);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pair;
    }

    public static Map<String, PublicKey> trusted() {
        return SigningKeys.byId(java.util.List.of(signingKey().getPublic()));
    }

    public static synchronized byte[] eventSecret() {
        if (secret == null) {
            try {
                Files.createDirectories(DIR);
                if (!Files.exists(EVENT_SECRET)) {
                    byte[] s = new byte[32];
                    new SecureRandom().nextBytes(s);
                    Files.writeString(EVENT_SECRET, Base64.getEncoder().encodeToString(s) + "\n");
                }
                secret = Base64.getDecoder()
                        .decode(Files.readString(EVENT_SECRET, StandardCharsets.US_ASCII)
                                .strip());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return secret;
    }

    /** The recorder's config for these keys. */
    public static Map<String, String> config() {
        signingKey();
        eventSecret();
        return Map.of(
                "portcullis.signing.key-file", SIGNING_KEY.toString(),
                "portcullis.event-auth.key-file", EVENT_SECRET.toString());
    }

    /**
     * A session event tagged as session-proxy tags it (the session id read from the event, as the recorder does);
     * what is no JSON object with a session id is left as it is (the malformed-input tests' records).
     */
    public static String tag(String json) {
        JsonNode n;
        try {
            n = JsonSupport.MAPPER.readTree(json);
        } catch (IOException e) {
            return json;
        }
        if (n == null || !n.isObject() || !json.strip().endsWith("}")) {
            return json;
        }
        String sessionId = n.hasNonNull("session_id")
                ? n.get("session_id").asText()
                : n.path("data").path("session_id").asText();
        byte[] secret = eventSecret();
        String untagged = json.strip();
        String tag = EventAuth.tag(
                EventAuth.keyId(secret),
                EventAuth.sessionKey(secret, sessionId),
                untagged.getBytes(StandardCharsets.UTF_8));
        return EventAuth.append(untagged, tag);
    }
}
