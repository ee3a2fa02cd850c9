package dev.portcullis.recorder.recording;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The event file: JSON Lines, one session event per line, each line chained to the one before:
 *
 * <pre>
 * {"seq":0,"prev":"000…0","event":{…},"hash":"&lt;sha256&gt;"}
 * {"seq":1,"prev":"&lt;hash of line 0&gt;","event":{…},"hash":"…"}
 * {"seal":{"format":"portcullis-recording/1","session_id":…,"status":…,"events":2,"missing":[]},"prev":"…","hash":"…"}
 * </pre>
 *
 * {@code hash} is the SHA-256 (hex) of the line's UTF-8 bytes before {@code ,"hash":"}, which
 * include {@code prev}, so altering, removing or reordering a line breaks the chain; the last line
 * is a seal that counts the events and names the missing seq ranges, so truncation shows too. A
 * full rewrite with a recomputed chain is caught by comparing the file's SHA-256 or the last hash
 * with the values in the recorder's metadata.
 */
public final class RecordingFormat {

    public static final String FORMAT = "portcullis-recording/1";
    public static final String GENESIS = "0".repeat(64);
    static final String HASH_FIELD = ",\"hash\":\"";
    /** {@code ,"hash":"} + 64 hex digits + {@code "}}. */
    static final int SUFFIX_LENGTH = HASH_FIELD.length() + 64 + 2;

    private RecordingFormat() {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    static String lineHash(MessageDigest digest, String prefix) {
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(prefix.getBytes(StandardCharsets.UTF_8)));
    }
}
