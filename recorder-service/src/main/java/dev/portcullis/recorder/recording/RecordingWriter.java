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
    private String prev = RecordingFormat.GENESIS;
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
        byte[] head = ("{\"seq\":" + seq + ",\"prev\":\"" + prev + "\",\"event\":").getBytes(StandardCharsets.US_ASCII);
        lineDigest.reset();
        lineDigest.update(head);
        lineDigest.update(json, offset, length);
        String hash = HexFormat.of().formatHex(lineDigest.digest());
        out.write(head);
        out.write(json, offset, length);
        writeSuffix(hash);
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
        String prefix = "{\"seal\":" + sealJson + ",\"prev\":\"" + prev + "\"";
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
        prev = seal.sealHash();
        sealed = true;
        out.flush();
        return new Written(
                counter.count, HexFormat.of().formatHex(out.getMessageDigest().digest()), prev, events);
    }

    /** Seals and signs in one step (tests, and callers that know the ledger link already). */
    public Written seal(SealInfo info, RecordingSigner signer) throws IOException {
        return writeSeal(prepareSeal(info, signer));
    }

    private void writeSuffix(String hash) throws IOException {
        out.write((RecordingFormat.HASH_FIELD + hash + "\"}\n").getBytes(StandardCharsets.US_ASCII));
        prev = hash;
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
