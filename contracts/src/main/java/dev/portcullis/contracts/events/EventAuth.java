package dev.portcullis.contracts.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Source authentication of session events (docs/architecture.md "Events", {@code authtag}): the proxy tags each
 * event with an HMAC-SHA256 under a per-session key derived from a secret it shares with the recorder, and the
 * recorder refuses an event whose tag is missing or wrong. Whoever can only write to Kafka cannot tag an event, so
 * an event produced straight to the topic is told from the proxy's.
 *
 * <p>The tag covers the event's exact JSON bytes as produced, without the tag itself: the encoded event ends with
 * {@code ,"authtag":"<key id>:<base64url MAC>"}} (the last attribute, {@link CloudEvent#forEachAttribute}), and
 * the MAC is over the same bytes with that member cut out, i.e. the event as it was before the tag was added. The
 * per-session key (HMAC of the session id under the shared secret) keeps an event from being replayed into another
 * session; within a session, (session id, seq) is unique and the recorder keeps the first.
 */
public final class EventAuth {

    /** The attribute name on the wire (a CloudEvents extension attribute). */
    public static final String ATTR = "authtag";

    private static final String MEMBER = ",\"" + ATTR + "\":\"";
    private static final byte[] MEMBER_BYTES = MEMBER.getBytes(StandardCharsets.US_ASCII);
    private static final String KEY_LABEL = "portcullis/session-event-key/v1\0";
    private static final int MIN_SECRET_BYTES = 32;

    /** What a check found. */
    public enum Verdict {
        AUTHENTIC,
        MISSING,
        MALFORMED,
        UNKNOWN_KEY,
        FORGED
    }

    private EventAuth() {}

    /** Refuses a secret too short to be one (the dev-stack and the Secret hold 32 random bytes, Base64). */
    public static byte[] requireSecret(byte[] secret) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException(
                    "the event authentication secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        return secret.clone();
    }

    /** A key id for a secret: its fingerprint, so proxy and recorder agree without configuring one. */
    public static String keyId(byte[] secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret);
            return "k" + java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The session's key. Derived once per session by the proxy (and once per session by the recorder's {@link Verifier}). */
    public static byte[] sessionKey(byte[] secret, String sessionId) {
        return hmac(secret, (KEY_LABEL + sessionId).getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    /** The value of {@code authtag} for an event encoded without it. */
    public static String tag(String keyId, byte[] sessionKey, byte[] untaggedJson) {
        byte[] mac = hmac(sessionKey, untaggedJson, 0, untaggedJson.length);
        return keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /**
     * As {@link #tag(String, byte[], byte[])} with a session's {@link #sessionMac} (a producer that tags many events
     * of one session spares the per-event key setup). Not thread-safe: one caller at a time per {@code sessionMac}.
     */
    public static String tag(String keyId, Mac sessionMac, byte[] untaggedJson) {
        byte[] mac = sessionMac.doFinal(untaggedJson);
        return keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    /** An HMAC initialised with a session's key, for {@link #tag(String, Mac, byte[])}. */
    public static Mac sessionMac(byte[] sessionKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sessionKey, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    /** The encoded event with its tag appended as the last member (tests and producers that hold the JSON). */
    public static String append(String untaggedJson, String tag) {
        if (!untaggedJson.endsWith("}")) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return untaggedJson.substring(0, untaggedJson.length() - 1) + MEMBER + tag + "\"}";
    }

    /**
     * Checks the tag of an encoded event of {@code sessionId}, under the secrets by key id (the current one and
     * those rotated out but still accepted).
     */
    public static Verdict verify(Map<String, byte[]> secrets, String sessionId, byte[] payload) {
        Tagged t = Tagged.read(payload);
        if (t.verdict != null) {
            return t.verdict;
        }
        byte[] secret = secrets.get(t.keyId);
        return secret == null ? Verdict.UNKNOWN_KEY : t.check(initialised(sessionKey(secret, sessionId)), payload);
    }

    /**
     * Checks tags as {@link #verify(Map, String, byte[])} does, keeping each session's HMAC initialised with its
     * session key: a recorder checks every event of a session under the same key, and deriving that key and setting
     * up the HMAC for each event was most of a check. The {@code maxSessions} most recently used sessions' HMACs are
     * kept (a few hundred bytes each). Thread-safe (one check at a time).
     */
    public static final class Verifier {
        private final Map<String, byte[]> secrets;
        private final Map<String, Mac> macs;

        public Verifier(Map<String, byte[]> secrets, int maxSessions) {
            this.secrets = Map.copyOf(secrets);
            this.macs = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Mac> eldest) {
                    return size() > maxSessions;
                }
            };
        }

        public synchronized Verdict verify(String sessionId, byte[] payload) {
            Tagged t = Tagged.read(payload);
            if (t.verdict != null) {
                return t.verdict;
            }
            byte[] secret = secrets.get(t.keyId);
            if (secret == null) {
                return Verdict.UNKNOWN_KEY;
            }
            // the key id cannot hold a NUL (it is cut at the first ':' of an ASCII value), so the pair is unambiguous
            Mac mac = macs.computeIfAbsent(t.keyId + '\0' + sessionId, k -> sessionMac(sessionKey(secret, sessionId)));
            return t.check(mac, payload);
        }
    }

    /** Where an encoded event's tag is, or why it has none that can be checked. */
    private static final class Tagged {
        Verdict verdict;
        int memberStart;
        String keyId;
        String encodedMac;

        static Tagged read(byte[] payload) {
            Tagged t = new Tagged();
            int end = payload.length;
            while (end > 0 && isSpace(payload[end - 1])) {
                end--;
            }
            // ...,"authtag":"<kid>:<43 base64url>"}
            if (end < 2 || payload[end - 1] != '}' || payload[end - 2] != '"') {
                t.verdict = Verdict.MISSING;
                return t;
            }
            int valueEnd = end - 2;
            int valueStart = valueEnd;
            while (valueStart > 0 && payload[valueStart - 1] != '"' && valueEnd - valueStart <= 128) {
                valueStart--;
            }
            int memberStart = valueStart - MEMBER.length();
            if (memberStart <= 0
                    || !Arrays.equals(payload, memberStart, valueStart, MEMBER_BYTES, 0, MEMBER_BYTES.length)) {
                t.verdict = Verdict.MISSING;
                return t;
            }
            String value = new String(payload, valueStart, valueEnd - valueStart, StandardCharsets.US_ASCII);
            int colon = value.indexOf(':');
            if (colon <= 0) {
                t.verdict = Verdict.MALFORMED;
                return t;
            }
            t.encodedMac = value.substring(colon + 1);
            t.keyId = value.substring(0, colon);
            t.memberStart = memberStart;
            return t;
        }

        /** The event as tagged: everything before {@code ,"authtag":…} and the closing brace, hashed in place. */
        Verdict check(Mac mac, byte[] payload) {
            byte[] given;
            try {
                given = Base64.getUrlDecoder().decode(encodedMac);
            } catch (IllegalArgumentException e) {
                return Verdict.MALFORMED;
            }
            mac.update(payload, 0, memberStart);
            mac.update((byte) '}');
            byte[] expected = mac.doFinal();
            return MessageDigest.isEqual(expected, given) ? Verdict.AUTHENTIC : Verdict.FORGED;
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static byte[] hmac(byte[] key, byte[] data, int offset, int length) {
        Mac mac = initialised(key);
        mac.update(data, offset, length < 0 ? data.length : length);
        return mac.doFinal();
    }

    /**
     * This thread's HMAC-SHA256, initialised with {@code key}: {@code Mac.getInstance} looks the provider up on every
     * call, which was most of the recorder's cost of checking a tag (two per event). Each use runs to its
     * {@code doFinal} before the next {@code init}, on one thread.
     */
    private static Mac initialised(byte[] key) {
        try {
            Mac mac = MACS.get();
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    });
}
