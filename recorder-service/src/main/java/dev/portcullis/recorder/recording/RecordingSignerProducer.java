package dev.portcullis.recorder.recording;

import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.recorder.config.RecorderConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/** Loads the signing key at start: without one the recorder does not start (no unsigned recording, ever). */
@ApplicationScoped
public class RecordingSignerProducer {

    private static final Logger LOG = Logger.getLogger(RecordingSignerProducer.class);

    @Produces
    @Singleton
    @Startup
    RecordingSigner signer(RecorderConfig config) throws IOException {
        Path file = config.signing()
                .keyFile()
                .orElseThrow(() -> new IllegalStateException("portcullis.signing.key-file is not set: recordings "
                        + "must be signed (docs/architecture.md \"Recordings\")"));
        List<PublicKey> previous = new ArrayList<>();
        for (Path p : config.signing().previousPublicKeys().orElse(List.of())) {
            previous.addAll(SigningKeys.readPublicKeys(p));
        }
        RecordingSigner signer = new RecordingSigner(SigningKeys.readKeyPair(file), previous);
        LOG.infof(
                "signing recordings with key %s; accepting %s",
                signer.keyId(), signer.trusted().keySet());
        return signer;
    }
}
