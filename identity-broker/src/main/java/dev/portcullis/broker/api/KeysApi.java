package dev.portcullis.broker.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Shapes of the keys API: the public keys a session-proxy pins for the broker's control events. */
public final class KeysApi {

    private KeysApi() {}

    /**
     * One public key.
     *
     * @param keyId its fingerprint, the key id every signed event names
     * @param publicKey the SPKI encoding, Base64
     * @param pem the same as PEM, what {@code portcullis.control-events.public-keys} reads
     */
    public record PublicKeyView(
            @JsonProperty("key_id") String keyId,
            String alg,
            @JsonProperty("public_key") String publicKey,
            String pem) {}
}
