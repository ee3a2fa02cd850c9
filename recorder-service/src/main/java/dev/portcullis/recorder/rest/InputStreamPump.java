package dev.portcullis.recorder.rest;

import dev.portcullis.restedge.Problems;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.jboss.logging.Logger;

/**
 * Copies a blocking {@link InputStream} (a stored recording) into an HTTP response with
 * back-pressure: each chunk is read on a worker thread, written on the event loop, and the next read
 * waits for the response's {@code drainHandler} whenever its write queue is full. At most one chunk
 * is read ahead, so a download holds one chunk, its read array and Netty's write queue (about 1.5 MiB)
 * whatever the object's size and however slow the client.
 *
 * <p>Chunks are pooled direct buffers, returned to the pool once Netty has written them, filled
 * through one read array per download: a download allocates (almost) nothing on the heap, where a
 * {@code byte[]} per chunk is a byte of garbage per byte served. Vert.x wraps a foreign
 * {@code ByteBuf} as unreleasable, so the release on write completion is ours.
 *
 * <p>The response's headers (status, {@code Content-Length}) must be set before {@link #start}. A
 * storage failure after the headers went out resets the connection, so a client never takes a
 * short body for the whole recording; a client that goes away stops the reads. The stream is closed
 * in every case, on a worker thread (closing an S3 stream early aborts its connection).
 */
final class InputStreamPump {

    private static final Logger LOG = Logger.getLogger(InputStreamPump.class);
    static final int CHUNK = 256 * 1024;
    /**
     * Bytes Netty may hold unsent before the write queue counts as full: enough for the next read
     * from storage to overlap the socket writes of the previous chunks.
     */
    static final int WRITE_QUEUE = 1024 * 1024;

    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private final Context context;
    private final HttpServerResponse response;
    private final InputStream in;
    private final String what;
    /** The request path, for the problem details of a failure before the first byte. */
    private final String instance;

    private final Promise<Void> done = Promise.promise();
    /** Read buffer of this download; used by one worker at a time (reads are sequential). */
    private final byte[] scratch = new byte[CHUNK];
    /** Bytes still to send; touched on the event loop only. */
    private long remaining;

    private boolean finished;

    InputStreamPump(
            Context context, HttpServerResponse response, InputStream in, long length, String what, String instance) {
        this.context = context;
        this.instance = instance;
        this.response = response;
        this.in = in;
        this.remaining = length;
        this.what = what;
    }

    /** Starts pumping (call on the response's event loop); completes once the body is sent or abandoned. */
    Future<Void> start() {
        response.setWriteQueueMaxSize(WRITE_QUEUE);
        response.closeHandler(v -> finish(new IOException("client closed the connection")));
        response.exceptionHandler(this::finish);
        if (remaining == 0) {
            response.end().onComplete(this::ended);
        } else {
            readNext();
        }
        return done.future();
    }

    private void readNext() {
        int want = (int) Math.min(CHUNK, remaining);
        context.<ByteBuf>executeBlocking(
                        () -> {
                            ByteBuf chunk = ALLOCATOR.directBuffer(want, want);
                            try {
                                while (chunk.isWritable()) {
                                    // through our own array: ByteBuf.writeBytes(InputStream) allocates a temporary one
                                    // per call
                                    int n = in.read(scratch, 0, Math.min(scratch.length, chunk.writableBytes()));
                                    if (n < 0) {
                                        throw new EOFException(
                                                "storage returned fewer bytes than the recording's size");
                                    }
                                    chunk.writeBytes(scratch, 0, n);
                                }
                                return chunk;
                            } catch (IOException | RuntimeException e) {
                                chunk.release();
                                throw e;
                            }
                        },
                        false)
                .onComplete(this::write);
    }

    // The pooled chunk goes to the response wrapped, not copied.
    // Vert.x 4 deprecates its ByteBuf bridge with no public replacement (Vert.x 5 moves it to BufferInternal).
    @SuppressWarnings("deprecation")
    private void write(AsyncResult<ByteBuf> read) {
        if (read.failed()) {
            finish(read.cause());
            return;
        }
        ByteBuf chunk = read.result();
        if (finished) {
            chunk.release();
            return;
        }
        remaining -= chunk.readableBytes();
        try {
            if (remaining == 0) {
                response.end(Buffer.buffer(chunk)).onComplete(end -> {
                    chunk.release();
                    ended(end);
                });
                return;
            }
            response.write(Buffer.buffer(chunk)).onComplete(written -> chunk.release());
        } catch (IllegalStateException e) {
            // the response was closed under us
            chunk.release();
            finish(e);
            return;
        }
        if (response.writeQueueFull()) {
            response.drainHandler(v -> {
                response.drainHandler(null);
                if (!finished) {
                    readNext();
                }
            });
        } else {
            readNext();
        }
    }

    private void ended(AsyncResult<Void> end) {
        finish(end.failed() ? end.cause() : null);
    }

    private void finish(Throwable failure) {
        if (finished) {
            return;
        }
        finished = true;
        if (failure != null && !response.ended() && !response.closed()) {
            if (response.headWritten()) {
                // the client was promised Content-Length bytes: cut the connection rather than end short
                LOG.errorf("streaming %s failed after the headers were sent: %s", what, failure.toString());
                response.reset();
            } else {
                LOG.errorf("streaming %s failed before the first byte: %s", what, failure.toString());
                response.headers().clear();
                Problems.end(response, Problems.of(503, "storage unavailable", instance));
            }
        } else if (failure != null) {
            LOG.debugf("download of %s abandoned: %s", what, failure.toString());
        }
        context.executeBlocking(
                        () -> {
                            in.close();
                            return null;
                        },
                        false)
                .onComplete(closed -> {
                    if (closed.failed()) {
                        LOG.debugf(
                                "closing the storage stream of %s: %s",
                                what, closed.cause().toString());
                    }
                    if (failure == null) {
                        done.complete();
                    } else {
                        done.fail(failure);
                    }
                });
    }
}
