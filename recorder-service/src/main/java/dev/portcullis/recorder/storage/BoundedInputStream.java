package dev.portcullis.recorder.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Stops after {@code limit} bytes. Closed before that, it first runs {@code onEarlyClose} (an S3
 * stream is aborted there, instead of reading the rest of the object to reuse its connection).
 */
final class BoundedInputStream extends FilterInputStream {

    private final Runnable onEarlyClose;
    private long remaining;

    BoundedInputStream(InputStream in, long limit, Runnable onEarlyClose) {
        super(in);
        this.remaining = limit;
        this.onEarlyClose = onEarlyClose;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = in.read();
        if (b >= 0) {
            remaining--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n > 0) {
            remaining -= n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(n, remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void close() throws IOException {
        if (remaining > 0 && onEarlyClose != null) {
            onEarlyClose.run();
        }
        in.close();
    }
}
