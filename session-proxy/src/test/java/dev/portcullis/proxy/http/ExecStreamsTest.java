package dev.portcullis.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.enforcement.Masker;
import dev.portcullis.proxy.enforcement.RecordedRequests;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading exec/attach streams: WebSocket frames (RFC 6455) and kube-apiserver's channel protocol, recorded masked. */
class ExecStreamsTest {

    private static final byte[] KEY = {0x11, 0x22, 0x33, 0x44};

    /** One frame as a client (masked) or a server (unmasked) writes it. */
    static byte[] frame(boolean fin, int opcode, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int m = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(m | payload.length);
        } else if (payload.length < 65536) {
            out.write(m | 126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) payload.length >> (8 * i)) & 0xff);
            }
        }
        if (masked) {
            out.writeBytes(KEY);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ (masked ? KEY[i & 3] : 0));
        }
        return out.toByteArray();
    }

    static byte[] channel(int channel, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[t.length + 1];
        p[0] = (byte) channel;
        System.arraycopy(t, 0, p, 1, t.length);
        return p;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final class Recorded implements ExecStreams.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void stdin(String text) {
            events.add("stdin:" + text);
        }

        @Override
        public void output(String stream, String text) {
            events.add(stream + ":" + text);
        }

        @Override
        public void status(String json) {
            events.add("status:" + json);
        }
    }

    private static ExecStreams streams(Recorded r) {
        return new ExecStreams(new Masker(new byte[32]), RecordedRequests.DETECTORS, 1024, r);
    }

    /** Feeds {@code bytes} in pieces of {@code chunk}; returns what was passed on. */
    static byte[] feed(WebSocketFrames f, WebSocketFrames.Listener l, byte[] bytes, int chunk) throws Exception {
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i += chunk) {
            passed.writeBytes(f.feed(
                            Buffer.buffer(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk))), l)
                    .getBytes());
        }
        return passed.toByteArray();
    }

    @Test
    void anExecSessionIsRecordedStreamByStreamMaskedAndPassedOnUnchangedAtEveryChunking() throws Exception {
        byte[] fromAgent = concat(
                frame(true, 2, channel(0, "echo 4111 1111 1111 1111\nexit"), true),
                frame(true, 2, channel(4, "{\"Width\":80,\"Height\":24}"), true),
                frame(true, 9, new byte[0], true),
                frame(false, 2, channel(0, "\nwhoa"), true),
                frame(true, 0, "mi\n".getBytes(StandardCharsets.UTF_8), true),
                frame(true, 2, new byte[] {(byte) 255, 0}, true));
        String big = "x".repeat(70_000);
        byte[] fromServer = concat(
                frame(true, 2, channel(1, "4111 1111 1111 1111\n"), false),
                frame(true, 2, channel(2, "sh: mail me at a@example.com\n"), false),
                frame(true, 2, channel(1, big + "\n"), false),
                frame(true, 2, channel(3, "{\"metadata\":{},\"status\":\"Success\"}"), false),
                frame(true, 8, new byte[] {0x03, (byte) 0xe8}, false));
        for (int chunk : new int[] {1, 2, 5, 1000, 1 << 20}) {
            Recorded r = new Recorded();
            ExecStreams s = streams(r);
            WebSocketFrames up = new WebSocketFrames(true, UpgradeTunnel.MAX_FRAME);
            WebSocketFrames down = new WebSocketFrames(false, UpgradeTunnel.MAX_FRAME);
            assertArrayEquals(fromAgent, feed(up, s.fromAgent(), fromAgent, chunk), "the agent's bytes pass as sent");
            assertArrayEquals(fromServer, feed(down, s.fromTarget(), fromServer, chunk), "the target's bytes pass");
            s.end();
            String all = String.join("|", r.events);
            assertFalse(all.contains("4111 1111 1111 1111"), all);
            assertFalse(all.contains("a@example.com"), all);
            assertTrue(r.events.contains("stdin:exit\n") || all.contains("stdin:exit\n"), all);
            assertTrue(all.contains("stdin:whoami\n"), () -> "a line across frames is one line: " + all);
            assertTrue(all.contains("stdout:" + big.substring(0, 100)), "a long line is recorded");
            assertTrue(all.contains("stderr:sh: mail me at "), all);
            assertTrue(all.contains("status:{\"metadata\":{},\"status\":\"Success\"}"), all);
            assertFalse(up.holdsPartialFrame() || down.holdsPartialFrame());
        }
    }

    @Test
    void stdinIsRecordedOneLinePerEventHoweverItWasRead() throws Exception {
        Recorded r = new Recorded();
        ExecStreams s = streams(r);
        WebSocketFrames up = new WebSocketFrames(true, 1024);
        byte[] bytes = concat(
                frame(true, 2, channel(0, "ls -l\ncat /etc/hostname\nwho"), true),
                frame(true, 2, channel(0, "ami"), true));
        feed(up, s.fromAgent(), bytes, bytes.length);
        s.end();
        assertEquals(List.of("stdin:ls -l\n", "stdin:cat /etc/hostname\n", "stdin:whoami"), r.events);
    }

    @Test
    void anIncompleteFrameIsHeldNotPassed() throws Exception {
        byte[] f = frame(true, 2, channel(1, "hello\n"), false);
        WebSocketFrames down = new WebSocketFrames(false, 1024);
        Recorded r = new Recorded();
        ExecStreams s = streams(r);
        Buffer first = down.feed(Buffer.buffer(java.util.Arrays.copyOf(f, f.length - 1)), s.fromTarget());
        assertEquals(0, first.length(), "half a frame is not relayed");
        assertTrue(down.holdsPartialFrame());
        assertTrue(r.events.isEmpty());
        Buffer rest = down.feed(Buffer.buffer(new byte[] {f[f.length - 1]}), s.fromTarget());
        assertArrayEquals(f, rest.getBytes());
        assertEquals(List.of("stdout:hello\n"), r.events);
    }

    /** Streams the relay cannot read: each is a protocol error, nothing of the offending frame passes. */
    static Stream<Arguments> unreadable() {
        return Stream.of(
                Arguments.of("text message (base64 protocol)", true, frame(true, 1, "MGVjaG8=".getBytes(), true)),
                Arguments.of("unmasked client frame", true, frame(true, 2, channel(0, "id\n"), false)),
                Arguments.of("masked server frame", false, frame(true, 2, channel(1, "x"), true)),
                Arguments.of("compressed frame (RSV1)", false, rsv1(frame(true, 2, channel(1, "x"), false))),
                Arguments.of("unknown opcode", true, frame(true, 3, new byte[] {0}, true)),
                Arguments.of("agent writes stdout", true, frame(true, 2, channel(1, "fake output"), true)),
                Arguments.of("agent writes the error channel", true, frame(true, 2, channel(3, "{}"), true)),
                Arguments.of("server writes stdin", false, frame(true, 2, channel(0, "x"), false)),
                Arguments.of("server writes channel 7", false, frame(true, 2, channel(7, "x"), false)),
                Arguments.of("message without channel", true, frame(true, 2, new byte[0], true)),
                Arguments.of("continuation first", true, frame(true, 0, "x".getBytes(), true)),
                Arguments.of("fragmented ping", true, frame(false, 9, new byte[0], true)),
                Arguments.of("oversized ping", false, frame(true, 9, new byte[126], false)),
                Arguments.of(
                        "new message inside a fragmented one",
                        true,
                        concat(frame(false, 2, channel(0, "a"), true), frame(true, 2, channel(0, "b"), true))),
                Arguments.of(
                        "data after close",
                        false,
                        concat(frame(true, 8, new byte[0], false), frame(true, 2, channel(1, "late"), false))),
                Arguments.of("frame over the limit", false, frame(true, 2, channel(1, "y".repeat(2048)), false)),
                Arguments.of(
                        "negative length", false, new byte[] {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1}));
    }

    private static byte[] rsv1(byte[] f) {
        f[0] |= 0x40;
        return f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadable")
    void whatTheRelayCannotReadIsRefused(String name, boolean fromAgent, byte[] bytes) {
        Recorded r = new Recorded();
        ExecStreams s = streams(r);
        WebSocketFrames f = new WebSocketFrames(fromAgent, 1024);
        assertThrows(
                WebSocketFrames.ProtocolException.class,
                () -> feed(f, fromAgent ? s.fromAgent() : s.fromTarget(), bytes, bytes.length));
    }
}
