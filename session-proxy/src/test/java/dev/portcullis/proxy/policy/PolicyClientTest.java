package dev.portcullis.proxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.LogCapture;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.SessionContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real HTTP server on loopback that answers slowly, or not at all; its service
 * token from a stand-in for the Quarkus OIDC client that answers as the test says.
 */
class PolicyClientTest {

    Vertx vertx;
    HttpServer server;
    volatile long answerAfterMillis = -1; // -1: never answer
    volatile boolean trickle; // an answer that starts and never ends, a byte every 100 ms
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> traceparents = new CopyOnWriteArrayList<>();
    final List<String> uris = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    authorizations.add(String.valueOf(req.getHeader("Authorization")));
                    traceparents.add(String.valueOf(req.getHeader("traceparent")));
                    uris.add(req.uri());
                    if (trickle) {
                        req.response()
                                .setChunked(true)
                                .putHeader("Content-Type", "application/json")
                                .write("{");
                        vertx.setPeriodic(100, id -> {
                            if (req.response().closed()) {
                                vertx.cancelTimer(id);
                            } else {
                                req.response().write(" ");
                            }
                        });
                    } else if (answerAfterMillis >= 0) {
                        vertx.setTimer(
                                Math.max(1, answerAfterMillis),
                                id -> req.response()
                                        .putHeader("Content-Type", "application/json")
                                        .end(new JsonObject()
                                                .put(
                                                        "result",
                                                        new JsonObject()
                                                                .put("action", "allow")
                                                                .put("cache", new JsonObject().put("scope", "shape")))
                                                .put("provenance", new JsonObject().put("revision", "rev-7"))
                                                .encode()));
                    }
                }))
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Decision decide(Duration timeout) throws Exception {
        return decide(timeout, null);
    }

    Decision decide(Duration timeout, ServiceToken token) throws Exception {
        return decide(new PolicyClient(
                vertx, "http://127.0.0.1:" + server.actualPort(), timeout, token, OpenTelemetry.noop()));
    }

    static Decision decide(PolicyClient client) throws Exception {
        return client.decide(new JsonObject().put("request", new JsonObject().put("protocol", "ssh")))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** Asks with {@code timeout} and asserts a fail-closed deny that came only once the timeout had passed. */
    void assertDeniedAfter(Duration timeout) throws Exception {
        long t0 = System.nanoTime();
        Decision d = decide(timeout);
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(Decision.Action.DENY, d.action());
        assertTrue(d.reasons().contains("policy service unavailable"), d::toString);
        assertTrue(
                waited >= timeout.toMillis() - 10,
                "failed closed only once the timeout passed, after " + waited + " ms");
    }

    @Test
    void aPolicyServiceThatNeverAnswersIsADenyAfterTheTimeout() throws Exception {
        assertDeniedAfter(Duration.ofMillis(300));
    }

    @Test
    void anAnswerThatNeverEndsIsADenyAfterTheTimeoutThoughTheConnectionIsNeverIdle() throws Exception {
        trickle = true;
        assertDeniedAfter(Duration.ofMillis(500));
    }

    @Test
    void anAnswerInTimeIsTheDecision() throws Exception {
        answerAfterMillis = 0;
        Decision d = decide(Duration.ofSeconds(10));
        assertEquals(Decision.Action.ALLOW, d.action());
        // asked with OPA's ?provenance, so the decision says which policy revision made it (ADR 0021)
        assertEquals(List.of("/v1/data/portcullis/decision?provenance=true"), uris);
        assertEquals("rev-7", d.revision());
        assertEquals(Decision.CacheScope.SHAPE, d.cacheScope());
    }

    // ---- the service token ----------------------------------------------------------------------

    /** Stands in for the Quarkus OIDC client: each token request gets the next of {@code answers}. */
    static final class TokenEndpoint implements OidcClient {
        final List<Uni<Tokens>> answers = new CopyOnWriteArrayList<>();
        final AtomicInteger requests = new AtomicInteger();

        @Override
        public Uni<Tokens> getTokens(Map<String, String> additionalGrantParameters) {
            return Uni.createFrom()
                    .deferred(() -> answers.get(Math.min(requests.getAndIncrement(), answers.size() - 1)));
        }

        @Override
        public Uni<Tokens> refreshTokens(String refreshToken, Map<String, String> additionalGrantParameters) {
            throw new UnsupportedOperationException("client_credentials tokens come without a refresh token");
        }

        @Override
        public Uni<Boolean> revokeAccessToken(String accessToken, Map<String, String> additionalParameters) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }

    /** A token as the OIDC client returns it, expiring in {@code expiresIn}, to be renewed 30 s ahead. */
    static Uni<Tokens> token(String value, Duration expiresIn) {
        long expiresAt = System.currentTimeMillis() / 1000 + expiresIn.toSeconds();
        return Uni.createFrom()
                .item(new Tokens(
                        value, expiresAt, Duration.ofSeconds(30), null, null, new JsonObject(), "session-proxy"));
    }

    @Test
    void theServiceTokenIsFetchedOnceAndSentAsBearerWhileItIsFresh() throws Exception {
        answerAfterMillis = 0;
        TokenEndpoint endpoint = new TokenEndpoint();
        endpoint.answers.add(token("ey-first", Duration.ofMinutes(5)));
        endpoint.answers.add(token("ey-second", Duration.ofMinutes(5)));
        PolicyClient client = new PolicyClient(
                vertx,
                "http://127.0.0.1:" + server.actualPort(),
                Duration.ofSeconds(10),
                new ServiceToken(endpoint, Duration.ofSeconds(10)),
                OpenTelemetry.noop());
        for (int i = 0; i < 3; i++) {
            assertEquals(Decision.Action.ALLOW, decide(client).action());
        }
        assertEquals(1, endpoint.requests.get(), "one token request for three decisions");
        assertEquals(List.of("Bearer ey-first", "Bearer ey-first", "Bearer ey-first"), authorizations);
    }

    @Test
    void aTokenWithinThirtySecondsOfItsExpiryIsRenewedBeforeTheNextDecision() throws Exception {
        answerAfterMillis = 0;
        TokenEndpoint endpoint = new TokenEndpoint();
        endpoint.answers.add(token("ey-expiring", Duration.ofSeconds(20)));
        endpoint.answers.add(token("ey-renewed", Duration.ofMinutes(5)));
        PolicyClient client = new PolicyClient(
                vertx,
                "http://127.0.0.1:" + server.actualPort(),
                Duration.ofSeconds(10),
                new ServiceToken(endpoint, Duration.ofSeconds(10)),
                OpenTelemetry.noop());
        assertEquals(Decision.Action.ALLOW, decide(client).action());
        assertEquals(Decision.Action.ALLOW, decide(client).action());
        assertEquals(Decision.Action.ALLOW, decide(client).action());
        assertEquals(2, endpoint.requests.get());
        assertEquals(List.of("Bearer ey-expiring", "Bearer ey-renewed", "Bearer ey-renewed"), authorizations);
    }

    @Test
    void aRefusedServiceTokenIsAFailClosedDenyThatIsLoggedAndNeverReachesPolicy() throws Exception {
        answerAfterMillis = 0;
        TokenEndpoint endpoint = new TokenEndpoint();
        endpoint.answers.add(Uni.createFrom().failure(new OidcClientException("{\"error\":\"unauthorized_client\"}")));
        try (LogCapture log = LogCapture.of(PolicyClient.class)) {
            Decision d = decide(Duration.ofSeconds(10), new ServiceToken(endpoint, Duration.ofSeconds(10)));
            assertEquals(Decision.Action.DENY, d.action());
            assertEquals(List.of("policy service unavailable"), d.reasons());
            assertTrue(d.isFailClosed());
            assertTrue(authorizations.isEmpty(), "policy was asked without a token: " + authorizations);
            List<ExtLogRecord> warnings = log.containing("no service token for policy-service");
            assertEquals(1, warnings.size(), () -> "logged: " + log.records);
            assertEquals(Level.WARN, Level.valueOf(warnings.get(0).getLevel().getName()));
            assertTrue(LogCapture.message(warnings.get(0)).contains("unauthorized_client"));
        }
    }

    @Test
    void aTokenEndpointThatNeverAnswersFailsClosedAndDoesNotHoldTheNextDecision() throws Exception {
        answerAfterMillis = 0;
        TokenEndpoint endpoint = new TokenEndpoint();
        endpoint.answers.add(Uni.createFrom().nothing());
        endpoint.answers.add(token("ey-later", Duration.ofMinutes(5)));
        ServiceToken token = new ServiceToken(endpoint, Duration.ofMillis(200));
        Decision first = decide(Duration.ofSeconds(10), token);
        assertEquals(Decision.Action.DENY, first.action());
        assertTrue(first.isFailClosed());
        // the hung fetch has timed out: the next decision fetches anew instead of joining it
        Decision second = decide(Duration.ofSeconds(10), token);
        assertEquals(Decision.Action.ALLOW, second.action(), second::toString);
        assertEquals(2, endpoint.requests.get());
        assertEquals(List.of("Bearer ey-later"), authorizations);
    }

    // ---- trace and log context ------------------------------------------------------------------

    @Test
    void theRequestCarriesTheTraceparentOfItsOwnClientSpanUnderTheCurrentSpan() throws Exception {
        answerAfterMillis = 0;
        List<SpanData> ended = new CopyOnWriteArrayList<>();
        SdkTracerProvider traces = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                        ended.addAll(spans);
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                }))
                .build();
        OpenTelemetry otel = OpenTelemetrySdk.builder()
                .setTracerProvider(traces)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        PolicyClient client =
                new PolicyClient(vertx, "http://127.0.0.1:" + server.actualPort(), Duration.ofSeconds(10), null, otel);
        Span session = otel.getTracer("test").spanBuilder("postgres session").startSpan();
        Decision d;
        try (Scope s = session.makeCurrent()) {
            d = decide(client);
        }
        assertEquals(Decision.Action.ALLOW, d.action());
        String[] tp = traceparents.getFirst().split("-");
        assertEquals(4, tp.length, traceparents::toString);
        assertEquals(session.getSpanContext().getTraceId(), tp[1], "the session's trace");
        SpanData call = ended.stream()
                .filter(sd -> sd.getName().equals("policy decision"))
                .findFirst()
                .orElseThrow();
        assertEquals(tp[2], call.getSpanId(), "the parent policy-service sees is the client span");
        assertEquals(session.getSpanContext().getSpanId(), call.getParentSpanId());
        assertEquals(SpanKind.CLIENT, call.getKind());
        assertEquals("allow", call.getAttributes().get(AttributeKey.stringKey("portcullis.decision.action")));
        assertEquals(200L, call.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        session.end();
        traces.close();
    }

    @Test
    void aTimeoutIsLoggedOnBehalfOfTheSessionThatAskedThoughItFiresLaterOnTheEventLoop() throws Exception {
        SessionContext session =
                SessionContext.open(OpenTelemetry.noop().getTracer("test"), null, "ssh", "s-timeout", "127.0.0.1:6000");
        session.identify("ci-runner", "ssh-prod");
        PolicyClient client = new PolicyClient(
                vertx, "http://127.0.0.1:" + server.actualPort(), Duration.ofMillis(200), null, OpenTelemetry.noop());
        try (LogCapture log = LogCapture.of(PolicyClient.class)) {
            Future<Decision> pending;
            try (SessionContext.Entered e = session.enter()) {
                pending = client.decide(new JsonObject());
            }
            assertTrue(pending.toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .isFailClosed());
            ExtLogRecord warning = log.await("gave no decision within 200 ms", Duration.ofSeconds(5));
            assertTrue(warning.getThreadName().startsWith("vert.x-eventloop"), warning.getThreadName());
            assertEquals("s-timeout", warning.getMdc(SessionContext.SESSION_ID));
            assertEquals("ssh", warning.getMdc(SessionContext.PROTOCOL));
            assertEquals("ci-runner", warning.getMdc(SessionContext.AGENT));
            assertEquals("ssh-prod", warning.getMdc(SessionContext.CONNECTION));
        }
    }
}
