package dev.portcullis.proxy.http;

import dev.portcullis.proxy.enforcement.LineMasker;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * The content of a {@code pods/exec} or {@code pods/attach} stream, read from kube-apiserver's channel protocol
 * over WebSocket ({@code v4.channel.k8s.io}, {@code v5.channel.k8s.io}: each binary message starts with its
 * channel — 0 stdin, 1 stdout, 2 stderr, 3 the exit Status, 4 terminal resize, 255 (v5) a stream's close) and
 * handed to a {@link Sink} line by line, masked by detectors, so a recording holds what the agent typed and what
 * came back (docs/architecture.md "HTTP and Kubernetes gateway"). Whatever is not this protocol — text (base64)
 * messages, a channel a side may not send on, a message without a channel — is a protocol error and ends the
 * stream rather than being relayed unread.
 */
final class ExecStreams {

    /** The WebSocket subprotocols relayed, in kubectl's order of preference. */
    static final List<String> PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");

    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int ERROR = 3;
    private static final int RESIZE = 4;
    private static final int CLOSE = 255;
    private static final Set<Integer> FROM_AGENT = Set.of(STDIN, RESIZE, CLOSE);
    private static final Set<Integer> FROM_TARGET = Set.of(STDOUT, STDERR, ERROR);
    private static final int MAX_STATUS = 64 * 1024;

    /** Where the masked content goes. */
    interface Sink {
        /** One line (or a long line's piece) of the agent's stdin. */
        void stdin(String text);

        /** A line (or piece) of {@code stdout} or {@code stderr}. */
        void output(String stream, String text);

        /** The exit Status the API server sent on the error channel (JSON, masked). */
        void status(String json);
    }

    private final Sink sink;
    private final Masker masker;
    private final List<MaskRule> rules;
    private final LineMasker stdin;
    private final LineMasker stdout;
    private final LineMasker stderr;
    private final ByteArrayOutputStream status = new ByteArrayOutputStream();
    private int agentChannel = -1;
    private int targetChannel = -1;

    /** @param rules the detector rules the recording is masked with */
    ExecStreams(Masker masker, List<MaskRule> rules, int maxLine, Sink sink) {
        this.sink = sink;
        this.masker = masker;
        this.rules = rules;
        this.stdin = new LineMasker(masker, rules, maxLine);
        this.stdout = new LineMasker(masker, rules, maxLine);
        this.stderr = new LineMasker(masker, rules, maxLine);
    }

    /** Reads the frames the agent sends. */
    WebSocketFrames.Listener fromAgent() {
        return (opcode, fin, payload) -> {
            int from = data(opcode, payload, agentChannel);
            if (from < 0) {
                return;
            }
            int channel = agentChannel = opcode == WebSocketFrames.CONTINUATION ? agentChannel : payload[0] & 0xff;
            if (!FROM_AGENT.contains(channel)) {
                throw new WebSocketFrames.ProtocolException("the agent wrote on channel " + channel);
            }
            if (channel == STDIN) {
                emitLines(stdin.feed(payload, from, payload.length - from));
            }
        };
    }

    /** Reads the frames the API server sends. */
    WebSocketFrames.Listener fromTarget() {
        return (opcode, fin, payload) -> {
            int from = data(opcode, payload, targetChannel);
            if (from < 0) {
                return;
            }
            int channel = targetChannel = opcode == WebSocketFrames.CONTINUATION ? targetChannel : payload[0] & 0xff;
            if (!FROM_TARGET.contains(channel)) {
                throw new WebSocketFrames.ProtocolException("the API server wrote on channel " + channel);
            }
            int length = payload.length - from;
            switch (channel) {
                case STDOUT -> emit(stdout.feed(payload, from, length), t -> sink.output("stdout", t));
                case STDERR -> emit(stderr.feed(payload, from, length), t -> sink.output("stderr", t));
                default -> {
                    if (status.size() + length > MAX_STATUS) {
                        throw new WebSocketFrames.ProtocolException("an exit status over " + MAX_STATUS + " bytes");
                    }
                    status.write(payload, from, length);
                    if (fin) {
                        String json = status.toString(StandardCharsets.UTF_8);
                        status.reset();
                        sink.status(masker.applyDetectors(rules, json));
                    }
                }
            }
        };
    }

    /** The end of the stream: what is left of each line. */
    void end() {
        emitLines(stdin.flush());
        emit(stdout.flush(), t -> sink.output("stdout", t));
        emit(stderr.flush(), t -> sink.output("stderr", t));
    }

    /**
     * Where the data of a frame starts (1 after the channel byte of a message's first frame), or -1 for a control
     * frame, which carries none.
     */
    private static int data(int opcode, byte[] payload, int channel) throws WebSocketFrames.ProtocolException {
        return switch (opcode) {
            case WebSocketFrames.BINARY -> {
                if (payload.length == 0) {
                    throw new WebSocketFrames.ProtocolException("a message without a channel");
                }
                yield 1;
            }
            case WebSocketFrames.CONTINUATION -> {
                if (channel < 0) {
                    throw new WebSocketFrames.ProtocolException("a continuation without a channel");
                }
                yield 0;
            }
            case WebSocketFrames.TEXT ->
                throw new WebSocketFrames.ProtocolException("a text message: base64 channel protocols are not relayed");
            default -> -1;
        };
    }

    /** stdin one line per call, as an auditor reads typed commands (a read may carry several). */
    private void emitLines(String text) {
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl + 1;
            sink.stdin(text.substring(start, end));
            start = end;
        }
    }

    private static void emit(String text, java.util.function.Consumer<String> to) {
        if (!text.isEmpty()) {
            to.accept(text);
        }
    }
}
