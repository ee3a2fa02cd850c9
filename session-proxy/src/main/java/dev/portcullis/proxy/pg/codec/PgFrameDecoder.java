package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;

/**
 * The single framing loop for one direction of one connection. It waits for a whole frame (the
 * 4-byte length of a startup packet, or the 5-byte type+length header of a message, then the
 * body), checks every length against its cap the moment it is read, hands the frame to the
 * handler as a slice of the received bytes (no copy), and always continues at the frame end
 * whatever the handler did, so one bad handler cannot desynchronise the stream.
 *
 * <p>Received chunks are never mutated, so slices stay valid after the loop moved on; only a frame
 * split across chunks costs a copy of its first part.
 */
public final class PgFrameDecoder {

    /** What the next bytes are. */
    public enum State {
        /** Untyped packets: SSLRequest, GSSENCRequest, CancelRequest, StartupMessage. */
        STARTUP,
        /** Typed messages: one type byte, then an int32 length that counts itself. */
        MESSAGES,
        /** A framing error happened; everything after it is ignored. */
        FAILED
    }

    /** Receives whole frames; each buffer holds the complete frame including its header. */
    public interface Handler {
        void onStartupPacket(Buffer packet);

        void onMessage(byte type, Buffer frame);

        void onFramingError(PgProtocolException error);
    }

    private final int maxStartupLength;
    private final int maxMessageLength;
    private final Handler handler;
    private State state;
    private Buffer buf;
    private int pos;

    public PgFrameDecoder(State initial, int maxStartupLength, int maxMessageLength, Handler handler) {
        this.state = initial;
        this.maxStartupLength = maxStartupLength;
        this.maxMessageLength = maxMessageLength;
        this.handler = handler;
    }

    public State state() {
        return state;
    }

    /** After the startup packet: every further frame is a typed message. */
    public void expectMessages() {
        if (state != State.FAILED) {
            state = State.MESSAGES;
        }
    }

    /** Bytes buffered but not yet framed. */
    public int buffered() {
        return buf == null ? 0 : buf.length() - pos;
    }

    public void feed(Buffer chunk) {
        if (state == State.FAILED) {
            return;
        }
        if (buf == null || pos >= buf.length()) {
            buf = chunk;
        } else {
            int rest = buf.length() - pos;
            buf = Buffer.buffer(rest + chunk.length())
                    .appendBuffer(buf, pos, rest)
                    .appendBuffer(chunk);
        }
        pos = 0;
        while (state != State.FAILED) {
            int available = buf.length() - pos;
            if (state == State.STARTUP) {
                if (available < 4) {
                    break;
                }
                int length = buf.getInt(pos);
                if (length < 8 || length > maxStartupLength) {
                    fail(new PgProtocolException("invalid startup packet length " + length + " (must be 8.."
                            + maxStartupLength + ", portcullis.pg.max-startup-packet)"));
                    break;
                }
                if (available < length) {
                    break;
                }
                int end = pos + length;
                Buffer packet = buf.slice(pos, end);
                pos = end;
                handler.onStartupPacket(packet);
            } else {
                if (available < 5) {
                    break;
                }
                byte type = buf.getByte(pos);
                int length = buf.getInt(pos + 1);
                if (length < 4 || length > maxMessageLength) {
                    fail(new PgProtocolException(
                            "invalid message length " + length + " for message type '" + printable(type)
                                    + "' (must be 4.." + maxMessageLength + ", portcullis.pg.max-message-size)"));
                    break;
                }
                if (available < length + 1) {
                    break;
                }
                int end = pos + 1 + length;
                Buffer frame = buf.slice(pos, end);
                pos = end; // re-aligned before the handler runs: its failures cannot shift the stream
                handler.onMessage(type, frame);
            }
        }
        if (buf != null && pos >= buf.length()) {
            buf = null;
            pos = 0;
        }
    }

    private void fail(PgProtocolException e) {
        state = State.FAILED;
        buf = null;
        pos = 0;
        handler.onFramingError(e);
    }

    static String printable(byte type) {
        return type >= 0x20 && type < 0x7f ? String.valueOf((char) type) : String.format("0x%02x", type & 0xff);
    }
}
