package dev.portcullis.recorder.ingest;

import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.recorder.config.RecorderConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the proxy's tag on each session event (contracts' {@link EventAuth}): the secret shared with
 * session-proxy and those rotated out, by key id. Without a secret the recorder does not start, unless
 * {@code portcullis.event-auth.required=false} says the deployment's proxies do not tag yet.
 */
@Startup
@Singleton
public class EventAuthenticator {

    /** What the seal's {@code source_auth} says of the events in a recording. */
    public static final String HMAC = "hmac-sha256";

    public static final String NONE = "none";

    /** Sessions whose HMAC is kept set up: more than the proxies' sessions open at once in any deployment here. */
    static final int KEPT_SESSIONS = 4096;

    private final Map<String, byte[]> secrets;
    private final EventAuth.Verifier verifier;
    private final boolean required;

    @Inject
    EventAuthenticator(RecorderConfig config) throws IOException {
        this(secrets(config.eventAuth()), config.eventAuth().required());
    }

    EventAuthenticator(Map<String, byte[]> secrets, boolean required) {
        if (required && secrets.isEmpty()) {
            throw new IllegalStateException("portcullis.event-auth.key-file is not set: session events cannot be "
                    + "authenticated (docs/architecture.md \"Events\")");
        }
        this.secrets = Map.copyOf(secrets);
        this.verifier = new EventAuth.Verifier(this.secrets, KEPT_SESSIONS);
        this.required = required;
    }

    /** Null when the event may be staged, else why not. */
    public EventAuth.Verdict refusal(String sessionId, byte[] payload) {
        EventAuth.Verdict v = secrets.isEmpty() ? EventAuth.Verdict.MISSING : verifier.verify(sessionId, payload);
        if (v == EventAuth.Verdict.AUTHENTIC || (v == EventAuth.Verdict.MISSING && !required)) {
            return null;
        }
        return v;
    }

    public String sourceAuth() {
        return required ? HMAC : NONE;
    }

    static Map<String, byte[]> secrets(RecorderConfig.EventAuth config) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (config.keyFile().isPresent()) {
            byte[] s = read(config.keyFile().get());
            out.put(EventAuth.keyId(s), s);
        }
        for (Path p : config.previousKeyFiles().orElse(List.of())) {
            byte[] s = read(p);
            out.putIfAbsent(EventAuth.keyId(s), s);
        }
        return out;
    }

    /** A secret file: Base64 of 32+ random bytes (what `up` and the Secret hold). */
    static byte[] read(Path file) throws IOException {
        try {
            return EventAuth.requireSecret(Base64.getDecoder()
                    .decode(Files.readString(file, StandardCharsets.US_ASCII).strip()));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
