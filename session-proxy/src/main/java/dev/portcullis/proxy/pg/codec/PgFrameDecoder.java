package dev.portcullis.proxy.pg.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;

/**
 * The single framing loop for one direction of one connection. It waits for a whole frame (the
 * 4-byte length of a startup packet, or the 5-byte type+length header of a message, then the
 * body), checks every length against its cap the moment it is read, hands the frame to the
 * handler as a slice of the received bytes (no copy), and always continues at the frame end
 * whatever the handler did, so one bad handler cannot desynchronise the stream.
 *
 * <p>Received chunks are never mutated, so slices stay valid after the loop moved on. A frame split
 * across chunks is collected as a list of the chunks and copied once, when the last of its bytes has
 * arrived: a 16 MiB message in 64 KiB chunks costs one 16 MiB copy, not the sum of every partial
 * prefix (which would be quadratic, about 2 GiB). The cap on a message's length can be lowered while
 * the peer is not authenticated ({@link #limitMessages}).
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
    private int maxMessageLength;
    private String maxMessageSetting = "portcullis.pg.max-message-size";
    private final Handler handler;
    private State state;
    private Buffer buf;
    private int pos;
    /** The received bytes of an incomplete frame, in order, not yet joined. */
    private final ArrayDeque<Buffer> parts = new ArrayDeque<>();

    private int partsLength;
    /** How many bytes {@link #parts} must hold before framing can go on. */
    private int needed;
    /** Bytes copied to join split frames, ever: linear in what was received (a test checks it). */
    private long copied;

    public PgFrameDecoder(State initial, int maxStartupLength, int maxMessageLength, Handler handler) {
        this.state = initial;
        this.maxStartupLength = maxStartupLength;
        this.maxMessageLength = maxMessageLength;
        this.handler = handler;
    }

    /**
     * Sets the largest message accepted from now on and the setting named in the error (e.g. a small cap
     * before the peer authenticated, the normal one after).
     */
    public void limitMessages(int maxLength, String setting) {
        this.maxMessageLength = maxLength;
        this.maxMessageSetting = setting;
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
        // while framing, the bytes after the current frame (an SSLRequest must be the last thing before TLS)
        return partsLength + (buf == null ? 0 : buf.length() - pos);
    }

    /** Bytes copied so far to join frames split across chunks. */
    long copiedBytes() {
        return copied;
    }

    public void feed(Buffer chunk) {
        if (state == State.FAILED) {
            return;
        }
        if (partsLength == 0) {
            buf = chunk;
        } else {
            parts.add(chunk);
            partsLength += chunk.length();
            if (partsLength < needed) {
                return; // still incomplete: nothing is copied until the frame's last byte is here
            }
            buf = Buffer.buffer(partsLength);
            for (Buffer p : parts) {
                buf.appendBuffer(p);
            }
            copied += partsLength;
            parts.clear();
            partsLength = 0;
        }
        pos = 0;
        while (state != State.FAILED) {
            int available = buf.length() - pos;
            if (state == State.STARTUP) {
                if (available < 4) {
                    needed = 4;
                    break;
                }
                int length = buf.getInt(pos);
                if (length < 8 || length > maxStartupLength) {
                    fail(new PgProtocolException("invalid startup packet length " + length + " (must be 8.."
                            + maxStartupLength + ", portcullis.pg.max-startup-packet)"));
                    break;
                }
                if (available < length) {
                    needed = length;
                    break;
                }
                int end = pos + length;
                Buffer packet = buf.slice(pos, end);
                pos = end;
                handler.onStartupPacket(packet);
            } else {
                if (available < 5) {
                    needed = 5;
                    break;
                }
                byte type = buf.getByte(pos);
                int length = buf.getInt(pos + 1);
                if (length < 4 || length > maxMessageLength) {
                    fail(new PgProtocolException("invalid message length " + length + " for message type '"
                            + printable(type) + "' (must be 4.." + maxMessageLength + ", " + maxMessageSetting + ")"));
                    break;
                }
                if (available < length + 1) {
                    needed = length + 1;
                    break;
                }
                int end = pos + 1 + length;
                Buffer frame = buf.slice(pos, end);
                pos = end; // re-aligned before the handler runs: its failures cannot shift the stream
                handler.onMessage(type, frame);
            }
        }
        if (state != State.FAILED && buf != null && pos < buf.length()) {
            // the start of an incomplete frame: kept as a slice, joined with what follows once complete
            parts.add(buf.slice(pos, buf.length()));
            partsLength = buf.length() - pos;
        }
        buf = null;
        pos = 0;
    }

    private void fail(PgProtocolException e) {
        state = State.FAILED;
        buf = null;
        pos = 0;
        parts.clear();
        partsLength = 0;
        handler.onFramingError(e);
    }

    static String printable(byte type) {
        return type >= 0x20 && type < 0x7f ? String.valueOf((char) type) : String.format("0x%02x", type & 0xff);
    }
}
