package dev.portcullis.recorder.recording;

import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.contracts.recording.SigningKeys;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The recorder's signing key and the public keys it accepts (its own and those rotated out), by key id
 * (docs/architecture.md "Recordings").
 */
public final class RecordingSigner {

    private final KeyPair key;
    private final String keyId;
    private final Map<String, PublicKey> trusted;

    public RecordingSigner(KeyPair key, List<PublicKey> previous) {
        this.key = key;
        this.keyId = SigningKeys.keyId(key.getPublic());
        List<PublicKey> all = new ArrayList<>();
        all.add(key.getPublic());
        all.addAll(previous);
        this.trusted = Map.copyOf(SigningKeys.byId(all));
    }

    public String keyId() {
        return keyId;
    }

    /** Every key a recording may be signed by, the current one included. */
    public Map<String, PublicKey> trusted() {
        return trusted;
    }

    /** The signature line over a seal line's hash. */
    String signatureLine(String sealHash) {
        byte[] sig = SigningKeys.sign(key.getPrivate(), RecordingFormat.signedMessage(sealHash));
        return RecordingFormat.signatureLine(
                keyId, sealHash, Base64.getEncoder().encodeToString(sig));
    }
}
