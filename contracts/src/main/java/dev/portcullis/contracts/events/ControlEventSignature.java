package dev.portcullis.contracts.events;

import dev.portcullis.contracts.recording.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * identity-broker's signature on the control events it publishes to review-decisions and identity-events
 * (docs/architecture.md "Events", {@code signature}; docs/adr/0029): Kafka is not a trust boundary, so session-proxy
 * believes a {@code review.approved} only when it carries a valid Ed25519 signature by a broker key it pins.
 *
 * <p>The signature covers the event's exact JSON bytes as the broker wrote them, without the signature itself, as
 * {@link EventAuth} does for session events: the signed event ends with {@code ,"signature":"<key id>:<base64url
 * signature>"}} (the last member), and the signed message is a fixed context label followed by the same bytes with
 * that member cut out. Nothing is canonicalised, so nothing can be changed that the verifier would not see; and the
 * verifier hands back exactly the bytes it checked ({@link Result#event()}) for the reader to act on, never the text
 * around them. The key id is {@link SigningKeys#keyId} of the public key, so a proxy that pins public keys knows
 * their ids without configuring any; several pinned keys make a rotation.
 */
public final class ControlEventSignature {

    /** The attribute name on the wire (a CloudEvents extension attribute). */
    public static final String ATTR = "signature";

    private static final String MEMBER = ",\"" + ATTR + "\":\"";
    private static final byte[] MEMBER_BYTES = MEMBER.getBytes(StandardCharsets.US_ASCII);
    /** Keeps a signature by this key from being mistaken for one over anything else the key might sign. */
    private static final byte[] CONTEXT = "portcullis/control-event/v1\0".getBytes(StandardCharsets.US_ASCII);
    /** A key id (24 characters) and 86 of base64url leave ample room below this. */
    private static final int MAX_VALUE = 200;

    private static final int ED25519_SIGNATURE_BYTES = 64;

    /**
     * The outcome of a check: {@link EventAuth.Verdict}'s verdicts (missing: no {@code signature} member at the end;
     * malformed: no key id and signature in it; unknown key: a key that is not pinned; forged: the signature does not
     * match the event).
     *
     * @param keyId the key id the event names (null when there is none)
     * @param event when {@link EventAuth.Verdict#AUTHENTIC}, the signed event without its signature: the only text a reader
     *     may act on; null otherwise
     */
    public record Result(EventAuth.Verdict verdict, String keyId, String event) {
        public boolean authentic() {
            return verdict == EventAuth.Verdict.AUTHENTIC;
        }
    }

    private ControlEventSignature() {}

    /**
     * The event with its signature appended as the last member. {@code json} is the encoded event (a JSON object
     * with at least one member); surrounding whitespace is dropped first, the rest is signed as it is.
     */
    public static String sign(PrivateKey key, String keyId, String json) {
        if (keyId.indexOf(':') >= 0 || keyId.indexOf('"') >= 0) {
            throw new IllegalArgumentException("a key id has no ':' or '\"'");
        }
        String unsigned = json.strip();
        String body = unsigned.length() < 2
                ? ""
                : unsigned.substring(1, unsigned.length() - 1).strip();
        if (!unsigned.startsWith("{") || !unsigned.endsWith("}") || body.isEmpty()) {
            throw new IllegalArgumentException("not a JSON object with members");
        }
        byte[] signature = SigningKeys.sign(key, message(unsigned.getBytes(StandardCharsets.UTF_8)));
        return unsigned.substring(0, unsigned.length() - 1) + MEMBER + keyId + ":"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(signature) + "\"}";
    }

    /** Checks an event as read from Kafka against the pinned public keys by key id ({@link SigningKeys#byId}). */
    public static Result verify(Map<String, PublicKey> keys, String payload) {
        return verify(keys, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #verify(Map, String)} on the record's bytes. */
    public static Result verify(Map<String, PublicKey> keys, byte[] payload) {
        int end = payload.length;
        while (end > 0 && isSpace(payload[end - 1])) {
            end--;
        }
        // ...,"signature":"<kid>:<86 base64url>"}
        if (end < 2 || payload[end - 1] != '}' || payload[end - 2] != '"') {
            return new Result(EventAuth.Verdict.MISSING, null, null);
        }
        int valueEnd = end - 2;
        int valueStart = valueEnd;
        while (valueStart > 0 && payload[valueStart - 1] != '"' && valueEnd - valueStart <= MAX_VALUE) {
            valueStart--;
        }
        int memberStart = valueStart - MEMBER_BYTES.length;
        if (memberStart <= 0
                || !Arrays.equals(payload, memberStart, valueStart, MEMBER_BYTES, 0, MEMBER_BYTES.length)) {
            return new Result(EventAuth.Verdict.MISSING, null, null);
        }
        String value = new String(payload, valueStart, valueEnd - valueStart, StandardCharsets.US_ASCII);
        int colon = value.indexOf(':');
        if (colon <= 0) {
            return new Result(EventAuth.Verdict.MALFORMED, null, null);
        }
        String keyId = value.substring(0, colon);
        PublicKey key = keys.get(keyId);
        if (key == null) {
            return new Result(EventAuth.Verdict.UNKNOWN_KEY, keyId, null);
        }
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(value.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return new Result(EventAuth.Verdict.MALFORMED, keyId, null);
        }
        if (signature.length != ED25519_SIGNATURE_BYTES) {
            return new Result(EventAuth.Verdict.MALFORMED, keyId, null);
        }
        byte[] unsigned = Arrays.copyOf(payload, memberStart + 1);
        unsigned[memberStart] = '}';
        if (!SigningKeys.verify(key, message(unsigned), signature)) {
            return new Result(EventAuth.Verdict.FORGED, keyId, null);
        }
        return new Result(EventAuth.Verdict.AUTHENTIC, keyId, new String(unsigned, StandardCharsets.UTF_8));
    }

    /** What is signed: the context label, then the event's bytes without the signature. */
    private static byte[] message(byte[] unsigned) {
        byte[] m = Arrays.copyOf(CONTEXT, CONTEXT.length + unsigned.length);
        System.arraycopy(unsigned, 0, m, CONTEXT.length, unsigned.length);
        return m;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
