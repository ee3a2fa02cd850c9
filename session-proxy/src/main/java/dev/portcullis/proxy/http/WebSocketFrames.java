package dev.portcullis.proxy.http;

import io.vertx.core.buffer.Buffer;

/**
 * One direction of a WebSocket connection (RFC 6455 §5), read frame by frame as the bytes arrive: a frame is passed
 * on only once it is complete and valid, so nothing is relayed that was not read first. What this relay cannot
 * read is a protocol error, never passed through: reserved bits (an extension such as permessage-deflate, which the
 * proxy does not let the two sides negotiate), unknown opcodes, a frame from the client that is not masked or one
 * from the server that is, fragmented or oversized control frames, a payload over {@code maxPayload}.
 */
final class WebSocketFrames {

    static final int CONTINUATION = 0;
    static final int TEXT = 1;
    static final int BINARY = 2;
    static final int CLOSE = 8;
    static final int PING = 9;
    static final int PONG = 10;

    /** A frame's payload, unmasked; {@code opcode} as sent (continuation frames keep opcode 0). */
    interface Listener {
        void frame(int opcode, boolean fin, byte[] payload) throws ProtocolException;
    }

    /** The stream is not a WebSocket this relay can read; the message is safe to record. */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message, null, false, false);
        }
    }

    private final boolean fromClient;
    private final int maxPayload;
    private Buffer pending = Buffer.buffer();
    private boolean inMessage;
    private boolean closed;

    /**
     * @param fromClient frames from the client, which must be masked (the server's must not be)
     * @param maxPayload the largest frame payload held before it is passed on
     */
    WebSocketFrames(boolean fromClient, int maxPayload) {
        this.fromClient = fromClient;
        this.maxPayload = maxPayload;
    }

    /** Takes bytes; returns the complete frames among what has arrived so far, as they were sent. */
    Buffer feed(Buffer in, Listener listener) throws ProtocolException {
        pending = pending.length() == 0 ? in.copy() : pending.appendBuffer(in);
        int at = 0;
        while (true) {
            int frameLength = frame(at, listener);
            if (frameLength == 0) {
                break;
            }
            at += frameLength;
        }
        Buffer complete = pending.getBuffer(0, at);
        pending = pending.getBuffer(at, pending.length());
        return complete;
    }

    /** Whether bytes of an incomplete frame are held (at the end of the stream, a truncated frame). */
    boolean holdsPartialFrame() {
        return pending.length() > 0;
    }

    /** Reads the frame at {@code at}; returns its length, or 0 when it is not complete yet. */
    private int frame(int at, Listener listener) throws ProtocolException {
        int available = pending.length() - at;
        if (available < 2) {
            return 0;
        }
        if (closed) {
            throw new ProtocolException("data after a close frame");
        }
        int b0 = pending.getUnsignedByte(at);
        int b1 = pending.getUnsignedByte(at + 1);
        boolean fin = (b0 & 0x80) != 0;
        if ((b0 & 0x70) != 0) {
            throw new ProtocolException("reserved bits set: a WebSocket extension the relay does not read");
        }
        int opcode = b0 & 0x0f;
        boolean masked = (b1 & 0x80) != 0;
        if (masked != fromClient) {
            throw new ProtocolException(
                    fromClient ? "an unmasked frame from the client" : "a masked frame from the server");
        }
        long length = b1 & 0x7f;
        int header = 2;
        if (length == 126) {
            if (available < 4) {
                return 0;
            }
            length = pending.getUnsignedShort(at + 2);
            header = 4;
        } else if (length == 127) {
            if (available < 10) {
                return 0;
            }
            length = pending.getLong(at + 2);
            header = 10;
            if (length < 0) {
                throw new ProtocolException("a negative frame length");
            }
        }
        switch (opcode) {
            case CONTINUATION -> {
                if (!inMessage) {
                    throw new ProtocolException("a continuation frame outside a message");
                }
            }
            case TEXT, BINARY -> {
                if (inMessage) {
                    throw new ProtocolException("a new message inside a fragmented one");
                }
            }
            case CLOSE, PING, PONG -> {
                if (!fin || length > 125) {
                    throw new ProtocolException("a fragmented or oversized control frame");
                }
            }
            default -> throw new ProtocolException("unknown opcode " + opcode);
        }
        if (length > maxPayload) {
            throw new ProtocolException("a frame of " + length + " bytes, over the relay's " + maxPayload);
        }
        int maskAt = at + header;
        int payloadAt = maskAt + (masked ? 4 : 0);
        if (pending.length() - payloadAt < length) {
            return 0;
        }
        byte[] payload = pending.getBytes(payloadAt, payloadAt + (int) length);
        if (masked) {
            byte[] key = pending.getBytes(maskAt, maskAt + 4);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        if (opcode < CLOSE) {
            inMessage = !fin;
        } else if (opcode == CLOSE) {
            closed = true;
        }
        listener.frame(opcode, fin, payload);
        return payloadAt + (int) length - at;
    }
}
