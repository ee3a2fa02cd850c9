package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.DecisionCache;
import dev.portcullis.proxy.enforcement.LineMasker;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.enforcement.RecordedRequests;
import dev.portcullis.proxy.enforcement.ReviewHolds;
import dev.portcullis.proxy.enforcement.ReviewRequests;
import dev.portcullis.proxy.enforcement.SessionContext;
import dev.portcullis.proxy.enforcement.WriteAhead;
import dev.portcullis.proxy.events.SessionData;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One agent request after routing and login: parse (for Kubernetes: verb, resource, …), record,
 * decide (or reuse a decision), hold for review, then forward with the connection's own credential
 * and relay the response, masked as it streams. Upgrades go through {@link UpgradeTunnel} once policy allows
 * them ({@code pods/exec} and {@code attach} over WebSocket, read and recorded; plain HTTP upgrades spliced).
 * Runs on the client connection's event loop; nothing here blocks.
 */
final class HttpExchange {

    private static final Logger LOG = Logger.getLogger(HttpExchange.class);
    /** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the proxy sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "proxy-authorization",
            "proxy-authenticate",
            "host",
            "authorization",
            "expect",
            "forwarded",
            "x-real-ip");

    private static final Set<String> NOT_RETURNED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "proxy-authenticate");

    private final HttpProxyServer server;
    private final HttpGateway gw;
    private final HttpAgentSession session;
    private final ClientConnection client;
    private final HttpServerRequest req;
    private final String path;
    private final boolean kubernetes;
    private final boolean upgrade;
    private final long startedNanos = System.nanoTime();
    private KubernetesRequest kube;
    /** The path and query the target is sent: the canonical encoding of what policy decided on. */
    private String targetPath;

    private String targetQuery;
    private long requestSeq = -1;

    HttpExchange(
            HttpProxyServer server,
            HttpAgentSession session,
            ClientConnection client,
            HttpServerRequest req,
            String path,
            boolean upgrade) {
        this.server = server;
        this.gw = server.gateway();
        this.session = session;
        this.client = client;
        this.req = req;
        this.path = path;
        this.kubernetes = session.connection.type() == ConnectionType.KUBERNETES;
        this.upgrade = upgrade;
    }

    /** Runs the exchange inside its session (logs, trace); its callbacks below enter it again. */
    void run() {
        try (SessionContext.Entered e = session.context.enter()) {
            decideAndForward();
        }
    }

    private void decideAndForward() {
        JsonObject request;
        if (kubernetes) {
            try {
                kube = KubernetesRequest.parse(req.method().name(), path, req.query());
            } catch (KubernetesRequest.BadPathException e) {
                fail(e.code(), e.reason(), "Portcullis: " + e.getMessage());
                return;
            }
            targetPath = kube.uri().encodedPath();
            targetQuery = kube.query();
            for (String h : req.headers().names()) {
                if (h.regionMatches(true, 0, "Impersonate-", 0, 12)) {
                    fail(
                            403,
                            "Forbidden",
                            "Portcullis: impersonation headers are not accepted; the connection's"
                                    + " own identity is used toward the cluster");
                    return;
                }
            }
            String notRelayed = upgrade ? UpgradeTunnel.refusal(kube, req.headers()) : null;
            if (notRelayed != null) {
                fail(400, "BadRequest", "Portcullis: " + notRelayed);
                return;
            }
            request = kube.policyRequest(upgrade);
        } else {
            RequestUri uri;
            try {
                // the path is decided decoded and sent re-encoded, as for Kubernetes; the query of an arbitrary
                // HTTP target has no one grammar (repeated keys, ';'), so it passes as sent
                uri = RequestUri.parse(path, null);
            } catch (RequestUri.AmbiguousException e) {
                fail(400, "BadRequest", "Portcullis: " + e.getMessage());
                return;
            }
            String q = req.query() == null ? "" : req.query();
            targetPath = uri.encodedPath();
            targetQuery = q;
            request = new JsonObject()
                    .put("protocol", "http")
                    .put("kind", upgrade ? "upgrade" : "request")
                    .put("method", req.method().name())
                    .put("path", uri.path())
                    .put("query", q)
                    .put("verb", req.method().name().toLowerCase(Locale.ROOT))
                    .put("resource", "")
                    .put("namespace", "")
                    .put("subresource", "");
        }
        JsonObject recorded = request.copy();
        for (String f : new String[] {"path", "query", "command"}) {
            if (recorded.getValue(f) instanceof String s) {
                recorded.put(f, gw.masker().applyDetectors(RecordedRequests.DETECTORS, s));
            }
        }
        requestSeq = session.recorder.emit(EventTypes.SESSION_REQUEST, recorded);
        JsonObject input = PolicyInput.of(
                session.identity,
                session.connection,
                session.id(),
                session.clientAddress(),
                session.startedAt,
                request);
        DecisionCache.Key cacheKey = DecisionCache.key(input, true);
        Decision cached = gw.decisions().get(cacheKey);
        Future<Decision> decision =
                cached != null ? Future.succeededFuture(cached) : gw.policy().decide(input);
        decision.onComplete(session.context.wrap(ar -> {
            Decision d = ar.succeeded() ? ar.result() : Decision.failClosed("policy service unavailable");
            if (cached == null) {
                gw.decisions().put(cacheKey, d, gw.config().http().decisionCacheTtl());
            }
            session.recordDecision(d, requestSeq, cached != null);
            if (client.isClosed()) {
                return;
            }
            switch (d.action()) {
                case DENY -> {
                    if (d.isFailClosed()) {
                        fail(503, "ServiceUnavailable", "Portcullis: " + d.message());
                    } else {
                        fail(403, "Forbidden", "Portcullis: " + d.message());
                    }
                }
                case REVIEW -> review(d, recorded);
                case ALLOW -> forwardRecorded(d);
            }
        }));
    }

    /** Write-ahead: forwarded once the request and its decision are recorded, else refused (503). */
    private void forwardRecorded(Decision d) {
        WriteAhead.await(
                gw.vertx(),
                gw.events(),
                session.recorder,
                requestSeq,
                session.recorder.lastSeq(),
                session.context.wrap(ok -> {
                    if (client.isClosed()) {
                        return;
                    }
                    if (ok) {
                        forward(d);
                    } else {
                        fail(503, "ServiceUnavailable", "Portcullis: " + WriteAhead.REFUSAL);
                    }
                }));
    }

    private void review(Decision d, JsonObject recorded) {
        ReviewRequests.Pending pending = ReviewRequests.open(
                gw.holds(),
                gw.events(),
                session.recorder,
                session.identity,
                session.connection.name(),
                recorded,
                d,
                requestSeq,
                gw.config().review().timeout());
        client.holding(pending.reviewId());
        LOG.debugf("request held for review %s", pending.reviewId());
        pending.outcome().onComplete(session.context.wrap(ar -> {
            client.released(pending.reviewId());
            if (client.isClosed()) {
                return;
            }
            ReviewHolds.Outcome outcome = ar.succeeded() ? ar.result() : ReviewHolds.Outcome.EXPIRED;
            if (outcome == ReviewHolds.Outcome.APPROVED) {
                req.response().putHeader("Portcullis-Review", pending.reviewId());
                forwardRecorded(d);
            } else {
                fail(403, "Forbidden", "Portcullis: " + ReviewRequests.refusal(pending.reviewId(), outcome));
            }
        }));
    }

    private void forward(Decision d) {
        HttpTargets.Target target;
        try {
            target = server.targets().target(session.connection, session.identity.access());
        } catch (HttpTargets.TargetException e) {
            fail(502, "InternalError", "Portcullis: " + e.getMessage());
            return;
        }
        boolean mayRewrite = kubernetes || d.mask().stream().anyMatch(m -> m.detector() != null);
        target.authorization()
                .onFailure(session.context.wrap(e -> fail(502, "InternalError", "Portcullis: " + e.getMessage())))
                .onSuccess(session.context.wrap(auth -> {
                    RequestOptions o = new RequestOptions()
                            .setMethod(req.method())
                            .setHost(target.serverName)
                            .setPort(target.port)
                            .setServer(SocketAddress.inetSocketAddress(target.port, target.host))
                            .setURI(target.uri(targetPath, targetQuery))
                            .setTimeout(0);
                    MultiMap headers = o.getHeaders() == null ? MultiMap.caseInsensitiveMultiMap() : o.getHeaders();
                    copyRequestHeaders(headers, mayRewrite);
                    if (auth != null) {
                        headers.set(HttpHeaders.AUTHORIZATION, auth);
                    }
                    o.setHeaders(headers);
                    if (upgrade) {
                        new UpgradeTunnel(this, session, client, req, kubernetes, requestSeq, startedNanos)
                                .open(target, o, d.mask(), resp -> relay(resp, List.of()), this::unreachable);
                    } else {
                        send(target, o, d.mask());
                    }
                }));
    }

    private void copyRequestHeaders(MultiMap to, boolean mayRewrite) {
        Set<String> listedInConnection = new java.util.HashSet<>();
        for (String v : req.headers().getAll(HttpHeaders.CONNECTION)) {
            for (String t : v.split(",")) {
                listedInConnection.add(t.trim().toLowerCase(Locale.ROOT));
            }
        }
        for (var e : req.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(name) || (!upgrade && listedInConnection.contains(name))) {
                continue;
            }
            if (name.startsWith("x-forwarded-") || (kubernetes && name.startsWith("x-remote-"))) {
                continue; // the agent does not get to say who it is or where it comes from (front-proxy auth headers)
            }
            if (mayRewrite && name.equals("accept-encoding")) {
                continue; // the body must come back readable to be masked
            }
            if (mayRewrite && kubernetes && name.equals("accept")) {
                continue; // set below, once, from every Accept the agent sent
            }
            to.add(e.getKey(), e.getValue());
        }
        if (mayRewrite && kubernetes) {
            String accept = String.join(",", req.headers().getAll(HttpHeaders.ACCEPT));
            to.set(HttpHeaders.ACCEPT, KubeRepresentations.accept(kube, accept));
        }
        if (upgrade) {
            to.set(HttpHeaders.CONNECTION, "Upgrade");
            to.set(HttpHeaders.UPGRADE, req.getHeader(HttpHeaders.UPGRADE));
        }
    }

    private boolean hasBody() {
        return req.headers().contains(HttpHeaders.CONTENT_LENGTH)
                        && !"0".equals(req.getHeader(HttpHeaders.CONTENT_LENGTH))
                || req.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private void send(HttpTargets.Target target, RequestOptions o, List<MaskRule> rules) {
        boolean body = hasBody();
        if (body && !req.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            o.getHeaders().remove(HttpHeaders.CONTENT_LENGTH);
        }
        target.client
                .request(o)
                .compose(creq -> {
                    client.inFlight(creq);
                    if (body) {
                        if (!req.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
                            creq.setChunked(true);
                        }
                        return creq.send(req);
                    }
                    req.resume();
                    return creq.send();
                })
                .onComplete(session.context.wrap(ar -> {
                    if (ar.failed()) {
                        LOG.infof(
                                "target not reachable: %s",
                                ar.cause().getClass().getSimpleName());
                        fail(
                                503,
                                "ServiceUnavailable",
                                "Portcullis: cannot reach the target of connection " + session.connection.name());
                        return;
                    }
                    relay(ar.result(), rules);
                }));
    }

    private void relay(HttpClientResponse resp, List<MaskRule> rules) {
        HttpServerResponse out = req.response();
        BodyTransformer transformer;
        try {
            transformer = transformer(resp, rules);
        } catch (CannotMaskException e) {
            resp.request().reset();
            client.done(resp.request());
            fail(502, "InternalError", "Portcullis: " + e.getMessage());
            return;
        } catch (IOException e) {
            resp.request().reset();
            client.done(resp.request());
            fail(500, "InternalError", "Portcullis: cannot prepare masking");
            return;
        }
        out.setStatusCode(resp.statusCode());
        if (resp.statusMessage() != null) {
            out.setStatusMessage(resp.statusMessage());
        }
        for (var e : resp.headers()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (NOT_RETURNED.contains(name) || (transformer != null && name.equals("content-length"))) {
                continue;
            }
            out.headers().add(e.getKey(), e.getValue());
        }
        if (transformer != null || !resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            out.setChunked(true);
        }
        AtomicLong bytes = new AtomicLong();
        boolean[] over = {false};
        resp.exceptionHandler(session.context.wrap(e -> {
            if (!over[0]) {
                over[0] = true;
                out.reset();
                finished(resp, bytes.get(), transformer, "target response failed");
            }
        }));
        resp.handler(b -> {
            Buffer piece;
            try {
                piece = transformer == null ? b : transformer.feed(b);
            } catch (IOException | RuntimeException e) {
                // the session is entered only here, not for every chunk of the hot path
                try (SessionContext.Entered entered = session.context.enter()) {
                    LOG.infof(
                            "response not readable for masking: %s",
                            e.getClass().getSimpleName());
                    over[0] = true;
                    resp.request().reset();
                    out.reset(); // cut off: never pass on what could not be masked
                    finished(resp, bytes.get(), transformer, "response not readable for masking");
                }
                return;
            }
            if (piece.length() > 0) {
                bytes.addAndGet(piece.length());
                out.write(piece);
                if (out.writeQueueFull()) {
                    resp.pause();
                    out.drainHandler(v -> resp.resume());
                }
            }
        });
        resp.endHandler(session.context.wrap(v -> {
            if (over[0]) {
                return;
            }
            over[0] = true;
            try {
                Buffer rest = transformer == null ? Buffer.buffer() : transformer.end();
                bytes.addAndGet(rest.length());
                out.end(rest);
                finished(resp, bytes.get(), transformer, null);
            } catch (IOException | RuntimeException e) {
                out.reset();
                finished(resp, bytes.get(), transformer, "response not readable for masking");
            }
        }));
    }

    /** The response cannot be masked and must not pass. */
    static final class CannotMaskException extends Exception {
        CannotMaskException(String message) {
            super(message, null, false, false);
        }
    }

    /** How the body must be rewritten; null when it passes untouched. */
    private BodyTransformer transformer(HttpClientResponse resp, List<MaskRule> rules)
            throws CannotMaskException, IOException {
        String type = String.valueOf(resp.getHeader(HttpHeaders.CONTENT_TYPE)).toLowerCase(Locale.ROOT);
        String encoding = resp.getHeader(HttpHeaders.CONTENT_ENCODING);
        boolean encoded = encoding != null && !encoding.equalsIgnoreCase("identity");
        boolean json = type.contains("json");
        boolean text = type.startsWith("text/") || type.contains("xml") || type.contains("yaml");
        boolean secrets = kubernetes && kube.resource().equals("secrets");
        LineMasker detectors =
                new LineMasker(gw.masker(), rules, gw.config().http().maxLine());
        if (req.method() == HttpMethod.HEAD || resp.statusCode() == 204 || resp.statusCode() == 304) {
            return null;
        }
        if (kubernetes) {
            String refused = KubeRepresentations.refusal(
                    kube,
                    resp.getHeader(HttpHeaders.CONTENT_TYPE),
                    resp.statusCode(),
                    resp.getHeader("Content-Length"));
            if (refused != null) {
                throw new CannotMaskException(refused);
            }
            boolean mustRead = json || secrets || (text && detectors.masksAnything());
            if (mustRead && encoded) {
                throw new CannotMaskException(
                        "the target sent a " + encoding + "-encoded response that cannot be masked");
            }
            if (json) {
                return new JsonMaskingTransformer(gw.masker(), rules, secrets, "watch".equals(kube.verb()));
            }
            return text && detectors.masksAnything() ? new TextMaskingTransformer(detectors) : null;
        }
        if (!detectors.masksAnything() || !(json || text)) {
            return null; // binary bodies (images, archives) pass unmasked: detectors read text
        }
        if (encoded) {
            throw new CannotMaskException("the target sent a " + encoding + "-encoded response that cannot be masked");
        }
        return new TextMaskingTransformer(detectors);
    }

    private void finished(HttpClientResponse resp, long bytes, BodyTransformer transformer, String error) {
        client.done(resp.request());
        JsonObject data = SessionData.answering(requestSeq)
                .put("status", resp.statusCode())
                .put("bytes", bytes)
                .put("masked", transformer != null)
                .put("elapsed_ms", (System.nanoTime() - startedNanos) / 1_000_000);
        if (transformer instanceof JsonMaskingTransformer j && "watch".equals(kube.verb())) {
            data.put("watch_events", j.rootValues());
        }
        if (error != null) {
            data.put("error", error);
        }
        session.recorder.emit(EventTypes.SESSION_OUTPUT, data);
    }

    HttpGateway gateway() {
        return gw;
    }

    /** The target answered an upgrade with a stream that must not be relayed. */
    void upgradeFailed(String message) {
        fail(502, "InternalError", "Portcullis: " + message);
    }

    private void unreachable() {
        fail(
                503,
                "ServiceUnavailable",
                "Portcullis: cannot reach the target of connection " + session.connection.name());
    }

    private void fail(int code, String reason, String message) {
        req.resume();
        if (requestSeq < 0) {
            requestSeq = session.recorder.emit(
                    EventTypes.SESSION_REQUEST,
                    new JsonObject()
                            .put("protocol", session.connection.type().id())
                            .put("kind", "invalid")
                            .put("method", req.method().name())
                            .put("path", gw.masker().applyDetectors(RecordedRequests.DETECTORS, path)));
        }
        session.recorder.emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(requestSeq).put("status", code).put("error", message));
        HttpErrors.send(req.response(), kubernetes, code, reason, message);
    }
}
