package dev.portcullis.recorder.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Where finished recordings live. Every method blocks (disk or network I/O): call from worker
 * threads only; implementations refuse to run on a Vert.x event loop.
 */
public interface RecordingStore {

    /** Stores {@code file} under {@code key}, replacing what was there; returns once durable. */
    void put(String key, Path file, long size, String sha256Hex, String contentType) throws IOException;

    /** The object's size, or empty when it does not exist. */
    Optional<Long> size(String key) throws IOException;

    /** Reads {@code length} bytes from {@code offset}; the caller closes the stream. */
    InputStream open(String key, long offset, long length) throws IOException;

    /**
     * Reads {@code length} bytes from {@code offset} of the uncompressed content of a gzip-compressed object of
     * {@code storedSize} bytes (a download by a client that does not accept gzip): the object is read from its start
     * and decompressed, the first {@code offset} bytes dropped. The caller closes the stream.
     */
    default InputStream openDecoded(String key, long storedSize, long offset, long length) throws IOException {
        InputStream raw = open(key, 0, storedSize);
        try {
            InputStream in = new GZIPInputStream(raw, 64 * 1024);
            in.skipNBytes(offset);
            return new BoundedInputStream(in, length, null);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Deletes the object; true when something was there (or the store cannot tell). */
    boolean delete(String key) throws IOException;

    /** For logs: the kind of store and where, without credentials. */
    String describe();

    /** Throws when called on an event loop thread: these calls block. */
    static void requireBlockingAllowed(String what) {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            throw new IllegalStateException(what + " blocks and must not run on the event loop ("
                    + Thread.currentThread().getName() + ")");
        }
    }
}
