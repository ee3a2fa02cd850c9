package dev.portcullis.broker.events;

import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.contracts.events.ControlEventSignature;
import dev.portcullis.contracts.recording.SigningKeys;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import org.jboss.logging.Logger;

/**
 * Signs every event the broker publishes to review-decisions and identity-events (contracts'
 * {@link ControlEventSignature}; docs/architecture.md "Events"). Loaded at start: without a key the broker does not
 * start, in every profile, since a proxy believes no unsigned approval (fail closed at the source too: the broker
 * never publishes a decision that would be ignored while it looks like it was sent).
 */
@Singleton
@Startup
public class ControlEventSigner {

    private static final Logger LOG = Logger.getLogger(ControlEventSigner.class);

    private final KeyPair key;
    private final String keyId;

    @Inject
    ControlEventSigner(BrokerConfig config) {
        this(load(config.controlEvents().signingKeyFile()));
    }

    ControlEventSigner(KeyPair key) {
        this.key = key;
        this.keyId = SigningKeys.keyId(key.getPublic());
        LOG.infof("signing review decisions and identity events with key %s", keyId);
    }

    /** The key pair in the configured file; refuses an unset one (the broker does not start). */
    static KeyPair load(java.util.Optional<String> signingKeyFile) {
        String file = signingKeyFile
                .filter(f -> !f.isBlank())
                .orElseThrow(() -> new IllegalStateException("portcullis.control-events.signing-key-file is not "
                        + "set: review decisions and identity events must be signed (docs/architecture.md "
                        + "\"Events\")"));
        try {
            return SigningKeys.readKeyPair(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.control-events.signing-key-file: " + e.getMessage(), e);
        }
    }

    /** The encoded event with its signature as the last member. */
    public String sign(String json) {
        return ControlEventSignature.sign(key.getPrivate(), keyId, json);
    }

    public String keyId() {
        return keyId;
    }

    /** The public key a proxy pins ({@code portcullis.control-events.public-keys}). */
    public PublicKey publicKey() {
        return key.getPublic();
    }
}
