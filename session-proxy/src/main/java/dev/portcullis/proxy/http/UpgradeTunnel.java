package dev.portcullis.proxy.http;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.RecordedRequests;
import dev.portcullis.proxy.events.SessionData;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An allowed upgrade, relayed. On a Kubernetes connection only {@code pods/exec} and {@code pods/attach} over
 * WebSocket with the channel protocol ({@link ExecStreams#PROTOCOLS}) are: the two sides may not negotiate an
 * extension, every frame is read before it is passed on ({@link WebSocketFrames}), and stdin, stdout, stderr and
 * the exit status go to the recording, masked (docs/architecture.md "HTTP and Kubernetes gateway"). SPDY and
 * port-forward (SPDY, also when kubectl tunnels it in a WebSocket) are refused before policy is asked: their content
 * would be relayed unread. On a plain HTTP connection an upgrade is spliced byte for byte, counted only.
 */
final class UpgradeTunnel {

    /** The largest frame payload held before it is passed on. */
    static final int MAX_FRAME = 1024 * 1024;

    private final HttpExchange exchange;
    private final HttpAgentSession session;
    private final ClientConnection client;
    private final HttpServerRequest req;
    private final boolean kubernetes;
    private final long requestSeq;
    private final long startedNanos;

    UpgradeTunnel(
            HttpExchange exchange,
            HttpAgentSession session,
            ClientConnection client,
            HttpServerRequest req,
            boolean kubernetes,
            long requestSeq,
            long startedNanos) {
        this.exchange = exchange;
        this.session = session;
        this.client = client;
        this.req = req;
        this.kubernetes = kubernetes;
        this.requestSeq = requestSeq;
        this.startedNanos = startedNanos;
    }

    /** Why a Kubernetes upgrade is not relayed at all, or null when it may be (policy permitting). */
    static String refusal(KubernetesRequest kube, MultiMap headers) {
        if (!kube.streamingSubresource()) {
            return "only pods/exec and pods/attach may be upgraded; watch over HTTP streaming instead of WebSocket";
        }
        if (kube.subresource().equals("portforward")) {
            return "port-forward is not relayed: its streams cannot be read into the recording";
        }
        if (!"websocket".equalsIgnoreCase(headers.get(HttpHeaders.UPGRADE))) {
            return "only WebSocket streams (" + String.join(", ", ExecStreams.PROTOCOLS)
                    + ") are relayed, so that they can be recorded; SPDY is not (kubectl 1.30 and later use WebSocket)";
        }
        if (offered(headers).isEmpty()) {
            return "the WebSocket must offer " + String.join(" or ", ExecStreams.PROTOCOLS);
        }
        return null;
    }

    /** The channel protocols the agent offers that the relay reads, in the agent's order. */
    private static List<String> offered(MultiMap headers) {
        Set<String> offered = new LinkedHashSet<>();
        for (String v : headers.getAll("Sec-WebSocket-Protocol")) {
            for (String p : v.split(",")) {
                String s = p.strip();
                if (ExecStreams.PROTOCOLS.contains(s)) {
                    offered.add(s);
                }
            }
        }
        return new ArrayList<>(offered);
    }

    /** Sends the upgrade; {@code notUpgraded} relays an answer other than 101, {@code fail} answers an error. */
    void open(
            HttpTargets.Target target,
            RequestOptions o,
            List<MaskRule> rules,
            Consumer<HttpClientResponse> notUpgraded,
            Runnable unreachable) {
        if (kubernetes) {
            o.getHeaders().remove("Sec-WebSocket-Extensions"); // frames must stay readable: no compression
            o.getHeaders().set("Sec-WebSocket-Protocol", String.join(", ", offered(req.headers())));
        }
        target.client
                .request(o)
                .compose(creq -> {
                    client.inFlight(creq);
                    return creq.connect();
                })
                .onComplete(session.context.wrap(ar -> {
                    if (ar.failed()) {
                        unreachable.run();
                        return;
                    }
                    HttpClientResponse resp = ar.result();
                    if (resp.statusCode() != 101) {
                        notUpgraded.accept(resp);
                        return;
                    }
                    client.done(resp.request());
                    String wrong = kubernetes ? wrongAnswer(resp) : null;
                    NetSocket backend = resp.netSocket();
                    if (wrong != null) {
                        backend.close();
                        exchange.upgradeFailed(wrong);
                        return;
                    }
                    HttpServerResponse out = req.response();
                    for (var e : resp.headers()) {
                        String name = e.getKey().toLowerCase(Locale.ROOT);
                        if (!name.equals("content-length") && !name.equals("transfer-encoding")) {
                            out.headers().add(e.getKey(), e.getValue());
                        }
                    }
                    req.toNetSocket().onComplete(sr -> {
                        if (sr.failed()) {
                            backend.close();
                            client.upgradeEnded();
                            return;
                        }
                        splice(sr.result(), backend, rules);
                    });
                }));
    }

    /** The API server's 101 must be the WebSocket and protocol offered, with no extension. */
    private static String wrongAnswer(HttpClientResponse resp) {
        String protocol = resp.getHeader("Sec-WebSocket-Protocol");
        if (!"websocket".equalsIgnoreCase(resp.getHeader(HttpHeaders.UPGRADE))
                || protocol == null
                || !ExecStreams.PROTOCOLS.contains(protocol.strip())
                || resp.getHeader("Sec-WebSocket-Extensions") != null) {
            return "the API server answered the upgrade with a stream the relay cannot read";
        }
        return null;
    }

    private void splice(NetSocket agent, NetSocket backend, List<MaskRule> rules) {
        AtomicLong up = new AtomicLong();
        AtomicLong down = new AtomicLong();
        String[] error = {null};
        boolean[] done = {false};
        ExecStreams streams = kubernetes ? streams(rules) : null;
        Runnable end = session.context.wrap(() -> {
            if (done[0]) {
                return;
            }
            done[0] = true;
            agent.close();
            backend.close();
            if (streams != null) {
                streams.end();
            }
            JsonObject data = SessionData.answering(requestSeq)
                    .put("status", 101)
                    .put("upgrade", req.getHeader(HttpHeaders.UPGRADE))
                    .put("bytes_from_agent", up.get())
                    .put("bytes_to_agent", down.get())
                    .put("recorded", streams != null)
                    .put("elapsed_ms", (System.nanoTime() - startedNanos) / 1_000_000);
            if (error[0] != null) {
                data.put("error", error[0]);
            }
            session.recorder.emit(EventTypes.SESSION_OUTPUT, data);
            client.upgradeEnded();
        });
        Consumer<String> abort = reason -> {
            if (error[0] == null) {
                error[0] = reason;
            }
            end.run();
        };
        if (streams == null) {
            pump(agent, backend, up, null, null, abort);
            pump(backend, agent, down, null, null, abort);
        } else {
            pump(agent, backend, up, new WebSocketFrames(true, MAX_FRAME), streams.fromAgent(), abort);
            pump(backend, agent, down, new WebSocketFrames(false, MAX_FRAME), streams.fromTarget(), abort);
        }
        agent.closeHandler(v -> end.run());
        backend.closeHandler(v -> end.run());
        agent.exceptionHandler(e -> end.run());
        backend.exceptionHandler(e -> end.run());
    }

    private ExecStreams streams(List<MaskRule> rules) {
        List<MaskRule> all = new ArrayList<>(RecordedRequests.DETECTORS);
        rules.stream().filter(r -> r.detector() != null && !all.contains(r)).forEach(all::add);
        HttpGateway gw = exchange.gateway();
        return new ExecStreams(gw.masker(), all, gw.config().http().maxLine(), new ExecStreams.Sink() {
            @Override
            public void stdin(String text) {
                session.recorder.emit(
                        EventTypes.SESSION_REQUEST,
                        new JsonObject()
                                .put("protocol", "kubernetes")
                                .put("kind", "stdin")
                                .put("input", text)
                                .put(SessionEventFields.SHELL_REQUEST_SEQ, requestSeq));
            }

            @Override
            public void output(String stream, String text) {
                session.recorder.emit(
                        EventTypes.SESSION_OUTPUT,
                        SessionData.answering(requestSeq).put("stream", stream).put("data", text));
            }

            @Override
            public void status(String json) {
                session.recorder.emit(
                        EventTypes.SESSION_OUTPUT,
                        SessionData.answering(requestSeq)
                                .put("stream", "status")
                                .put("exec_status", json));
            }
        });
    }

    /**
     * Copies one direction with back-pressure, counting bytes; with {@code frames}, only whole frames that were read
     * pass, and a stream that cannot be read is cut off.
     */
    private void pump(
            NetSocket from,
            NetSocket to,
            AtomicLong count,
            WebSocketFrames frames,
            WebSocketFrames.Listener listener,
            Consumer<String> abort) {
        from.handler(b -> {
            Buffer pass = b;
            if (frames != null) {
                try (var entered = session.context.enter()) {
                    pass = frames.feed(b, listener);
                } catch (WebSocketFrames.ProtocolException e) {
                    abort.accept("stream not relayed: " + e.getMessage());
                    return;
                }
            }
            if (pass.length() == 0) {
                return;
            }
            count.addAndGet(pass.length());
            to.write(pass);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(v -> from.resume());
            }
        });
    }
}
