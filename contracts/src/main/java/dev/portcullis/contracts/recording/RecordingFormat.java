package dev.portcullis.contracts.recording;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The event file of a recording (docs/architecture.md "Recordings"): JSON Lines, one session event per line, each
 * line chained to the one before, then a seal line and, from format 2 on, a signature line:
 *
 * <pre>
 * {"seq":0,"prev":"000…0","event":{…},"hash":"&lt;sha256&gt;"}
 * {"seq":1,"prev":"&lt;hash of line 0&gt;","event":{…},"hash":"…"}
 * {"seal":{"format":"portcullis-recording/2","session_id":…,"status":…,"events":2,…,"key_id":…,"ledger":{…}},"prev":"…","hash":"…"}
 * {"signature":{"alg":"Ed25519","key_id":"…","seal":"&lt;hash of the seal line&gt;","value":"&lt;base64&gt;"}}
 * </pre>
 *
 * {@code hash} is the SHA-256 (hex) of the line's UTF-8 bytes before {@code ,"hash":"}, which include {@code prev},
 * so the seal line's hash covers every line before it. The signature is the recorder's Ed25519 signature over
 * {@link #signedMessage} of that hash: a file whose chain was rebuilt after an edit no longer carries a signature
 * any trusted key made. Shared by the recorder (writes and checks) and the offline verifier.
 */
public final class RecordingFormat {

    /** Unsigned files written before recordings were signed; never valid now (no downgrade). */
    public static final String FORMAT_V1 = "portcullis-recording/1";
    /** Signed files: seal with key id and ledger link, then a signature line. */
    public static final String FORMAT = "portcullis-recording/2";

    public static final String GENESIS = "0".repeat(64);
    public static final String HASH_FIELD = ",\"hash\":\"";
    /** {@code ,"hash":"} + 64 hex digits + {@code "}}. */
    public static final int SUFFIX_LENGTH = HASH_FIELD.length() + 64 + 2;
    /** The signature algorithm (JDK name and the {@code alg} on the wire). */
    public static final String ALG = "Ed25519";

    private RecordingFormat() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public static String lineHash(MessageDigest digest, String prefix) {
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(prefix.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * What the recorder signs: the seal line's hash behind a label naming the format, so a signature made for
     * anything else (another format, another purpose of the same key) is never one over a seal.
     */
    public static byte[] signedMessage(String sealHash) {
        return ("portcullis-recording/2 seal " + sealHash).getBytes(StandardCharsets.US_ASCII);
    }

    /** The signature line for a seal hash, its key id and the Base64 signature. */
    public static String signatureLine(String keyId, String sealHash, String signatureBase64) {
        return "{\"signature\":{\"alg\":\"" + ALG + "\",\"key_id\":\"" + keyId + "\",\"seal\":\"" + sealHash
                + "\",\"value\":\"" + signatureBase64 + "\"}}";
    }
}
