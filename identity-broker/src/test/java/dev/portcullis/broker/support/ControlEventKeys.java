package dev.portcullis.broker.support;

import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.recording.SigningKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;

/**
 * The broker's control-event signing key of this test run, as `up` makes one for a dev stack: written once under
 * {@code target/test-keys} and given to the broker; tests verify what it publishes with the public key, as a proxy
 * that pins it does.
 */
public class ControlEventKeys implements QuarkusTestResourceLifecycleManager {

    public static final Path KEY_FILE =
            Path.of("target", "test-keys", "control-events-signing-key.pem").toAbsolutePath();

    private static KeyPair pair;

    public static synchronized KeyPair pair() {
        if (pair == null) {
            try {
                Files.createDirectories(KEY_FILE.getParent());
                if (!Files.exists(KEY_FILE)) {
                    Files.writeString(KEY_FILE, SigningKeys.toPem(SigningKeys.generate()));
                }
                pair = SigningKeys.readKeyPair(KEY_FILE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pair;
    }

    /** The keys a proxy pins: only this run's broker key. */
    public static Map<String, PublicKey> pinned() {
        return SigningKeys.byId(List.of(pair().getPublic()));
    }

    /** The event without its signature, after checking the signature is the broker's; fails otherwise. */
    public static String verified(String value) {
        ControlEventSignature.Result r = ControlEventSignature.verify(pinned(), value);
        if (!r.authentic()) {
            throw new AssertionError("not signed by the broker's key (" + r.verdict() + "): " + value);
        }
        return r.event();
    }

    @Override
    public Map<String, String> start() {
        pair();
        return Map.of("portcullis.control-events.signing-key-file", KEY_FILE.toString());
    }

    @Override
    public void stop() {}
}
