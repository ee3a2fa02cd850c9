package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.codec.PgBackendAuthenticator;
import dev.portcullis.proxy.pg.codec.PgBackendMessages;
import dev.portcullis.proxy.pg.codec.PgFrameDecoder;
import dev.portcullis.proxy.pg.codec.PgMessages;
import dev.portcullis.proxy.pg.codec.PgProtocol;
import dev.portcullis.proxy.pg.codec.PgProtocolException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A minimal blocking PostgreSQL wire client for tests that must send exact bytes: the JDBC driver
 * rewrites query text ({@code ;} and {@code ?} even with {@code preferQueryMode=simple}). Frames
 * are built with {@link PgMessages}, read with {@link PgFrameDecoder}, SCRAM done by
 * {@link PgBackendAuthenticator}. Writes run on their own thread so a long pipeline cannot
 * deadlock against the server's replies.
 */
final class PgWire implements AutoCloseable {

    /** One backend message: its type byte and the whole frame. */
    record Frame(byte type, Buffer frame) {
        String sqlstate() {
            return PgBackendMessages.Fields.decode(frame).sqlstate();
        }

        String message() {
            return PgBackendMessages.Fields.decode(frame).message();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final PgFrameDecoder decoder;
    private final byte[] chunk = new byte[65536];

    private PgWire(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.decoder =
                new PgFrameDecoder(PgFrameDecoder.State.MESSAGES, 10_000, 64 << 20, new PgFrameDecoder.Handler() {
                    @Override
                    public void onStartupPacket(Buffer packet) {
                        throw new IllegalStateException("the server sent a startup packet");
                    }

                    @Override
                    public void onMessage(byte type, Buffer frame) {
                        frames.add(new Frame(type, frame.copy()));
                    }

                    @Override
                    public void onFramingError(PgProtocolException error) {
                        throw error;
                    }
                });
    }

    /** Connects, authenticates and waits for the first ReadyForQuery. */
    static PgWire connect(String host, int port, String database, String user, String password) {
        try {
            PgWire w = new PgWire(new Socket(host, port));
            w.socket.setSoTimeout(60_000);
            w.write(List.of(
                    PgMessages.startupMessage(Map.of("user", user, "database", database, "client_encoding", "UTF8"))));
            PgBackendAuthenticator auth = new PgBackendAuthenticator(user, password.toCharArray());
            while (true) {
                Frame f = w.read();
                if (f.type() == PgProtocol.AUTHENTICATION) {
                    Buffer reply = auth.onAuthentication(PgBackendMessages.Authentication.decode(f.frame()));
                    if (reply != null) {
                        w.write(List.of(reply));
                    }
                } else if (f.type() == PgProtocol.ERROR_RESPONSE) {
                    throw new IllegalStateException("connection refused: " + f.message());
                } else if (f.type() == PgProtocol.READY_FOR_QUERY) {
                    return w;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Buffer sync() {
        return Buffer.buffer(5).appendByte(PgProtocol.SYNC).appendInt(4);
    }

    /**
     * Sends every message (on another thread), then reads until {@code readyForQueries}
     * ReadyForQuery frames have arrived; returns the frames grouped per ReadyForQuery, each group
     * ending with it. Notices and ParameterStatus frames are dropped.
     */
    List<List<Frame>> exchange(List<Buffer> messages, int readyForQueries) {
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(messages));
        List<List<Frame>> groups = new ArrayList<>(readyForQueries);
        List<Frame> group = new ArrayList<>();
        try {
            while (groups.size() < readyForQueries) {
                Frame f = read();
                if (f.type() == PgProtocol.NOTICE_RESPONSE || f.type() == PgProtocol.PARAMETER_STATUS) {
                    continue;
                }
                group.add(f);
                if (f.type() == PgProtocol.READY_FOR_QUERY) {
                    groups.add(group);
                    group = new ArrayList<>();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writing.join();
        return groups;
    }

    /** Runs one simple Query and returns its replies (ending with ReadyForQuery). */
    List<Frame> query(String sql) {
        return exchange(List.of(PgMessages.query(sql)), 1).get(0);
    }

    private void write(List<Buffer> messages) {
        try {
            Buffer all = Buffer.buffer();
            for (Buffer m : messages) {
                all.appendBuffer(m);
                if (all.length() > 1 << 16) {
                    out.write(all.getBytes());
                    all = Buffer.buffer();
                }
            }
            out.write(all.getBytes());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Frame read() throws IOException {
        while (frames.isEmpty()) {
            int r = in.read(chunk);
            if (r < 0) {
                throw new IOException("the server closed the connection");
            }
            decoder.feed(Buffer.buffer(Arrays.copyOf(chunk, r)));
        }
        return frames.poll();
    }

    @Override
    public void close() {
        try (socket) {
            write(List.of(PgMessages.terminate()));
        } catch (IOException | UncheckedIOException e) {
            // the socket is closed either way
        }
    }
}
