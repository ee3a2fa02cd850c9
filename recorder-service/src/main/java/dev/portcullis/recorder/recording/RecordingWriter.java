package dev.portcullis.recorder.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.recorder.events.JsonSupport;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a chained, signed event file ({@link RecordingFormat}) to a stream, computing its size and
 * SHA-256 on the way; memory stays constant whatever the number of events. The seal and its signature
 * are made by {@link #prepareSeal} (no I/O) and written by {@link #writeSeal}; {@link #seal} does both.
 */
public final class RecordingWriter implements Closeable {

    /** What was written: size and SHA-256 of the whole file, and the hash of its last line. */
    public record Written(long size, String sha256, String chainHead, long events) {}

    private final CountingOutputStream counter;
    private final DigestOutputStream out;
    private final MessageDigest lineDigest = RecordingFormat.sha256();
    private static final byte[] SEQ_OPEN = ascii("{\"seq\":");
    private static final byte[] PREV_OPEN = ascii(",\"prev\":\"");
    private static final byte[] EVENT_OPEN = ascii("\",\"event\":");
    private static final byte[] HASH_OPEN = ascii(RecordingFormat.HASH_FIELD);
    private static final byte[] HEX = ascii("0123456789abcdef");

    /** The previous line's hash, as its 64 lower-case hex digits. */
    private final byte[] prev = ascii(RecordingFormat.GENESIS);
    /** A line's head: at most 8 + 20 digits + 10 + 64 + 11 bytes. */
    private final byte[] head = new byte[128];
    /** A line's suffix, its hash filled in per line. */
    private final byte[] suffix = suffix();

    private long events;
    private long lastSeq = -1;
    private boolean sealed;

    public RecordingWriter(OutputStream target) {
        this.counter = new CountingOutputStream(new BufferedOutputStream(target, 64 * 1024));
        this.out = new DigestOutputStream(counter, RecordingFormat.sha256());
    }

    /** Appends one event; {@code eventJson} must be compact JSON (no line breaks). seq must increase. */
    public void append(long seq, String eventJson) throws IOException {
        append(seq, eventJson.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends one event given as compact UTF-8 JSON; seq must increase. */
    public void append(long seq, byte[] eventJson) throws IOException {
        append(seq, eventJson, 0, eventJson.length);
    }

    /** Appends one event given as compact UTF-8 JSON in {@code json[offset, offset + length)}; seq must increase. */
    public void append(long seq, byte[] json, int offset, int length) throws IOException {
        if (sealed) {
            throw new IllegalStateException("recording already sealed");
        }
        if (seq <= lastSeq) {
            throw new IllegalArgumentException("seq " + seq + " after " + lastSeq);
        }
        // CR and LF bytes never occur inside a UTF-8 multi-byte sequence
        for (int i = offset; i < offset + length; i++) {
            if (json[i] == '\n' || json[i] == '\r') {
                throw new IllegalArgumentException("event JSON must be compact");
            }
        }
        lastSeq = seq;
        events++;
        // the line's head and suffix as ASCII bytes straight into reused buffers, the hash as hex bytes: no String
        // per line (the finalizer's own CPU in the profile, README "Lag"); the bytes are those of
        // "{\"seq\":<seq>,\"prev\":\"<prev>\",\"event\":" and ",\"hash\":\"<hash>\"}\n"
        int h = put(head, 0, SEQ_OPEN);
        h = putLong(head, h, seq);
        h = put(head, h, PREV_OPEN);
        System.arraycopy(prev, 0, head, h, 64);
        h = put(head, h + 64, EVENT_OPEN);
        lineDigest.update(head, 0, h);
        lineDigest.update(json, offset, length);
        byte[] digest = lineDigest.digest();
        out.write(head, 0, h);
        out.write(json, offset, length);
        hex(digest, prev);
        System.arraycopy(prev, 0, suffix, HASH_OPEN.length, 64);
        out.write(suffix, 0, suffix.length);
    }

    /**
     * The recording's place in the recorder's ledger: its own index and the recording sealed just before it, so
     * that deleting a whole recording leaves a gap its successor's signature vouches for.
     */
    public record LedgerLink(long index, long prevIndex, String prevSession) {}

    /** What the seal says besides the chain (docs/architecture.md "Recordings"). */
    public record SealInfo(
            String sessionId,
            String status,
            List<SeqRange> missing,
            boolean ended,
            String sourceAuth,
            LedgerLink ledger) {}

    /** A seal line and its signature line, ready to be written. */
    public record Seal(String sealLine, String sealHash, String signatureLine) {}

    /** Makes the seal and signs it; writes nothing. */
    public Seal prepareSeal(SealInfo info, RecordingSigner signer) throws IOException {
        if (sealed) {
            throw new IllegalStateException("recording already sealed");
        }
        Map<String, Object> seal = new LinkedHashMap<>();
        seal.put("format", RecordingFormat.FORMAT);
        seal.put("session_id", info.sessionId());
        seal.put("status", info.status());
        seal.put("events", events);
        seal.put("last_seq", lastSeq);
        seal.put("ended", info.ended());
        seal.put(
                "missing",
                info.missing().stream().map(r -> List.of(r.from(), r.to())).toList());
        seal.put("source_auth", info.sourceAuth());
        seal.put("key_id", signer.keyId());
        Map<String, Object> ledger = new LinkedHashMap<>();
        ledger.put("index", info.ledger().index());
        ledger.put("prev_index", info.ledger().prevIndex());
        ledger.put("prev_session", info.ledger().prevSession());
        seal.put("ledger", ledger);
        String sealJson;
        try {
            sealJson = JsonSupport.MAPPER.writeValueAsString(seal);
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        String prefix = "{\"seal\":" + sealJson + ",\"prev\":\"" + prevHex() + "\"";
        String hash = RecordingFormat.lineHash(lineDigest, prefix);
        return new Seal(prefix + RecordingFormat.HASH_FIELD + hash + "\"}\n", hash, signer.signatureLine(hash) + "\n");
    }

    /** Writes a prepared seal and returns what was written; the stream is flushed, not closed. */
    public Written writeSeal(Seal seal) throws IOException {
        if (sealed) {
            throw new IllegalStateException("recording already sealed");
        }
        out.write(seal.sealLine().getBytes(StandardCharsets.UTF_8));
        out.write(seal.signatureLine().getBytes(StandardCharsets.US_ASCII));
        System.arraycopy(ascii(seal.sealHash()), 0, prev, 0, 64);
        sealed = true;
        out.flush();
        return new Written(
                counter.count, HexFormat.of().formatHex(out.getMessageDigest().digest()), prevHex(), events);
    }

    /** Seals and signs in one step (tests, and callers that know the ledger link already). */
    public Written seal(SealInfo info, RecordingSigner signer) throws IOException {
        return writeSeal(prepareSeal(info, signer));
    }

    private String prevHex() {
        return new String(prev, StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] suffix() {
        byte[] b = new byte[HASH_OPEN.length + 64 + 3];
        System.arraycopy(HASH_OPEN, 0, b, 0, HASH_OPEN.length);
        b[b.length - 3] = '"';
        b[b.length - 2] = '}';
        b[b.length - 1] = '\n';
        return b;
    }

    private static int put(byte[] to, int at, byte[] what) {
        System.arraycopy(what, 0, to, at, what.length);
        return at + what.length;
    }

    /** A non-negative long in decimal, as {@code Long.toString} writes it. */
    private static int putLong(byte[] to, int at, long v) {
        if (v == 0) {
            to[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long x = v; x > 0; x /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            to[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return at + digits;
    }

    /** Lower-case hex of a 32-byte digest into 64 bytes. */
    private static void hex(byte[] digest, byte[] to) {
        for (int i = 0; i < 32; i++) {
            to[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            to[2 * i + 1] = HEX[digest[i] & 0xf];
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
