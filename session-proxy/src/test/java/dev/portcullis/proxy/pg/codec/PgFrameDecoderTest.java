package dev.portcullis.proxy.pg.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgFrameDecoderTest {

    final List<String> frames = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    PgFrameDecoder decoder(PgFrameDecoder.State state) {
        return new PgFrameDecoder(state, 10_000, 1000, new PgFrameDecoder.Handler() {
            @Override
            public void onStartupPacket(Buffer packet) {
                frames.add("startup:" + packet.length());
            }

            @Override
            public void onMessage(byte type, Buffer frame) {
                frames.add((char) type + ":" + PgReader.body(frame).readCString());
                if (type == 'X') {
                    throw new PgProtocolException("handler failure must not shift the stream");
                }
            }

            @Override
            public void onFramingError(PgProtocolException error) {
                errors.add(error.getMessage());
            }
        });
    }

    @Test
    void framesSplitAnywhereAreReassembled() {
        Buffer all =
                Buffer.buffer().appendBuffer(PgMessages.query("SELECT 1")).appendBuffer(PgMessages.query("SELECT 2"));
        for (int cut = 0; cut <= all.length(); cut++) {
            frames.clear();
            PgFrameDecoder d = decoder(PgFrameDecoder.State.MESSAGES);
            d.feed(all.slice(0, cut).copy());
            d.feed(all.slice(cut, all.length()).copy());
            assertEquals(List.of("Q:SELECT 1", "Q:SELECT 2"), frames, "cut at " + cut);
        }
    }

    @Test
    void lengthOverTheCapIsRefusedBeforeTheBodyArrives() {
        PgFrameDecoder d = decoder(PgFrameDecoder.State.MESSAGES);
        d.feed(Buffer.buffer().appendByte((byte) 'Q').appendInt(5000));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("max-message-size"), errors.get(0));
        assertEquals(PgFrameDecoder.State.FAILED, d.state());
    }

    @Test
    void negativeAndTinyLengthsAreRefused() {
        decoder(PgFrameDecoder.State.MESSAGES)
                .feed(Buffer.buffer().appendByte((byte) 'Q').appendInt(-1));
        decoder(PgFrameDecoder.State.STARTUP).feed(Buffer.buffer().appendInt(3));
        assertEquals(2, errors.size());
    }

    @Test
    void aMessageSplitIntoManyChunksIsCopiedOnceNotOncePerChunk() {
        List<Integer> lengths = new ArrayList<>();
        PgFrameDecoder d =
                new PgFrameDecoder(PgFrameDecoder.State.MESSAGES, 10_000, 2 << 20, new PgFrameDecoder.Handler() {
                    @Override
                    public void onStartupPacket(Buffer packet) {}

                    @Override
                    public void onMessage(byte type, Buffer frame) {
                        lengths.add(frame.length());
                    }

                    @Override
                    public void onFramingError(PgProtocolException error) {
                        errors.add(error.getMessage());
                    }
                });
        int body = 1 << 20;
        Buffer message = Buffer.buffer(body + 5).appendByte((byte) 'p').appendInt(body + 4);
        message.appendBytes(new byte[body]);
        message.appendBuffer(PgMessages.query("SELECT 1"));
        int chunk = 1024;
        for (int i = 0; i < message.length(); i += chunk) {
            d.feed(message.slice(i, Math.min(message.length(), i + chunk)).copy());
        }
        assertEquals(List.of(body + 5, PgMessages.query("SELECT 1").length()), lengths);
        assertTrue(errors.isEmpty(), errors.toString());
        // each byte is copied at most once; per-chunk re-copying would be about body² / (2 · chunk) = 512 MiB
        assertTrue(d.copiedBytes() <= message.length(), "copied " + d.copiedBytes() + " of " + message.length());
        assertEquals(0, d.buffered());
    }

    @Test
    void theCapCanBeLoweredBeforeAuthenticationAndNamesItsSetting() {
        PgFrameDecoder d = decoder(PgFrameDecoder.State.MESSAGES);
        d.limitMessages(100, "portcullis.pg.max-password-message");
        d.feed(Buffer.buffer().appendByte((byte) 'p').appendInt(101));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).contains("must be 4..100, portcullis.pg.max-password-message"), errors.get(0));
        assertEquals(PgFrameDecoder.State.FAILED, d.state());
        assertTrue(frames.isEmpty());
    }
}
