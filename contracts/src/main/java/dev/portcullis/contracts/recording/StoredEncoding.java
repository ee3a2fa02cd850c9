package dev.portcullis.contracts.recording;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * How a recording file is stored (docs/architecture.md "Recordings"): as written, or gzip-compressed ({@code .gz}
 * appended to its name). The chain, the seal and the signature are always over the uncompressed lines, so a reader
 * decodes first and then checks exactly as before; a file is told by its first two bytes (gzip's magic number; a
 * recording's first line starts with a brace), so a renamed file reads the same.
 */
public final class StoredEncoding {

    /** The content coding of a compressed recording (HTTP {@code Content-Encoding}, the metadata's encoding). */
    public static final String GZIP = "gzip";
    /** Appended to the object key and file name of a compressed recording. */
    public static final String GZIP_SUFFIX = ".gz";
    /**
     * Longest line a reader accepts: far above any event the recorder stores (its {@code max-event-bytes}, 1 MiB by
     * default), and a bound on what a small compressed upload can make a reader buffer.
     */
    public static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

    private StoredEncoding() {}

    /** The uncompressed bytes of {@code in}, whether it is stored compressed or not. */
    public static InputStream decoded(InputStream in) throws IOException {
        return decoded(in, Long.MAX_VALUE);
    }

    /**
     * The uncompressed bytes of {@code in}; a read fails once more than {@code maxBytes} came out (a service bounds
     * the work a small compressed upload can cause).
     */
    public static InputStream decoded(InputStream in, long maxBytes) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 64 * 1024);
        b.mark(2);
        int first = b.read();
        int second = b.read();
        b.reset();
        boolean gzip = first == 0x1f && second == 0x8b;
        return new LineBound(gzip ? new GZIPInputStream(b, 64 * 1024) : b, MAX_LINE_BYTES, maxBytes);
    }

    /**
     * Fails a read once a line grows past {@code max} bytes, before a reader buffers it whole, or once more than
     * {@code maxTotal} bytes were read.
     */
    static final class LineBound extends FilterInputStream {
        private final int max;
        private final long maxTotal;
        private long sinceNewline;
        private long total;

        LineBound(InputStream in, int max, long maxTotal) {
            super(in);
            this.max = max;
            this.maxTotal = maxTotal;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) {
                count(c == '\n' ? -1 : 1);
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            for (int i = off; i < off + n; i++) {
                count(b[i] == '\n' ? -1 : 1);
            }
            return n;
        }

        private void count(int step) throws IOException {
            if (++total > maxTotal) {
                throw new IOException("more than " + maxTotal + " bytes uncompressed: too large to check here");
            }
            if (step < 0) {
                sinceNewline = 0;
            } else if (++sinceNewline > max) {
                throw new IOException("a line longer than " + max + " bytes: not a recording");
            }
        }

        @Override
        public long skip(long n) throws IOException {
            // every byte passes through the line count
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            return buf.length == 0 ? 0 : Math.max(0, read(buf, 0, buf.length));
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
