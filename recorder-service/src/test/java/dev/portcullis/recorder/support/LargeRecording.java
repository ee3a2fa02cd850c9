package dev.portcullis.recorder.support;

import dev.portcullis.recorder.storage.RecordingKeys;
import dev.portcullis.recorder.storage.RecordingStore;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A large recording put straight into the recorder's store, with a complete metadata row, so that
 * downloads of any size can be tested without ingesting millions of events. The local copy is kept
 * until {@link #close} so that byte ranges can be checked against it.
 */
public record LargeRecording(String sessionId, String key, long size, String sha256, Path file, RecordingStore store)
        implements AutoCloseable {

    public static LargeRecording store(RecordingStore store, Pool pool, long size) throws IOException {
        String id = "large-" + UUID.randomUUID();
        Path file = Files.createTempFile("large-recording", ".jsonl");
        MessageDigest sha = newSha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            long written = 0;
            for (long seq = 0; written < size; seq++) {
                byte[] line = ("{\"seq\":" + seq + ",\"event\":{\"text\":\"" + "y".repeat(1000) + "\"}}\n")
                        .getBytes(StandardCharsets.UTF_8);
                int n = (int) Math.min(line.length, size - written);
                out.write(line, 0, n);
                written += n;
            }
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Instant start = Instant.now();
        String key = RecordingKeys.key(start, id, RecordingKeys.EVENTS_EXT);
        try {
            store.put(key, file, size, hex, "application/x-ndjson");
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        pool.preparedQuery("""
                INSERT INTO recorded_session (session_id, agent, connection, protocol, started_at, ended_at, status, ended,
                    object_key, size_bytes, sha256, finalized_at) VALUES ($1, 'large', 'pg-dev', 'postgres', $2, $2, 'complete',
                    true, $3, $4, $5, now())""")
                .execute(Tuple.of(id, start.atOffset(ZoneOffset.UTC), key, size, hex))
                .await()
                .indefinitely();
        return new LargeRecording(id, key, size, hex, file, store);
    }

    /** The bytes {@code [offset, offset + length)} of the stored recording, from the local copy. */
    public byte[] bytes(long offset, int length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            f.seek(offset);
            f.readFully(b);
            return b;
        }
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes the local copy and the stored object (the metadata row stays, like a retained session's). */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
        store.delete(key);
    }
}
