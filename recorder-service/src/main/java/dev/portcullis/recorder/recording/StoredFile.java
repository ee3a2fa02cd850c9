package dev.portcullis.recorder.recording;

import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.contracts.recording.StoredEncoding;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * A recording file as it will be stored (docs/architecture.md "Recordings"): what is written to {@link #out()} (the
 * uncompressed lines, whose size and SHA-256 the writers compute themselves) goes to disk gzip-compressed at
 * {@code level}, or as it is with level 0; the stored bytes are counted and hashed on the way, streaming, so
 * nothing is read back. Java's gzip header carries no time or name, so the same lines give the same bytes (a
 * finalisation retried after a crash stores the same object).
 */
public final class StoredFile implements Closeable {

    private final Counting stored;
    private final OutputStream out;
    private final boolean gzip;
    private String sha256;

    public StoredFile(Path file, int level) throws IOException {
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("compression level " + level + " is not 0 (none) to 9");
        }
        this.stored = new Counting(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024));
        this.gzip = level > 0;
        this.out = gzip ? new LevelGzip(stored, level) : stored;
    }

    /** Where the uncompressed content goes; closing it (or this) finishes the file. */
    public OutputStream out() {
        return out;
    }

    /** {@code gzip}, or null when stored as written. */
    public String encoding() {
        return gzip ? StoredEncoding.GZIP : null;
    }

    /** The stored object's name: {@code ext}, with {@code .gz} when compressed. */
    public String extension(String ext) {
        return gzip ? ext + StoredEncoding.GZIP_SUFFIX : ext;
    }

    /** Bytes on disk; call after {@link #close()}. */
    public long storedSize() {
        return stored.count;
    }

    /** SHA-256 (hex) of the bytes on disk; call after {@link #close()}. */
    public String storedSha256() {
        if (sha256 == null) {
            throw new IllegalStateException("not closed yet");
        }
        return sha256;
    }

    @Override
    public void close() throws IOException {
        if (sha256 == null) {
            out.close();
            sha256 = HexFormat.of().formatHex(stored.digest.digest());
        }
    }

    private static final class LevelGzip extends GZIPOutputStream {
        LevelGzip(OutputStream out, int level) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(level);
        }
    }

    private static final class Counting extends FilterOutputStream {
        final MessageDigest digest = RecordingFormat.sha256();
        long count;
        boolean closed;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            // closed by the gzip stream and again by StoredFile: once is enough
            if (!closed) {
                closed = true;
                super.close();
            }
        }
    }
}
