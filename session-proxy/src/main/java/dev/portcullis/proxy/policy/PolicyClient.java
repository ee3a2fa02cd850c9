package dev.portcullis.proxy.policy;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyDecider;
import dev.portcullis.proxy.enforcement.SessionContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.quarkus.oidc.client.OidcClients;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * policy-service (or a real OPA) over its Data API: {@code POST /v1/data/portcullis/decision}.
 * Non-blocking (Vert.x HTTP client, keep-alive pool). Fails closed: any transport error, timeout,
 * non-200 answer or unreadable result becomes a deny with a reason that says so.
 */
@ApplicationScoped
public class PolicyClient implements PolicyDecider {

    private static final Logger LOG = Logger.getLogger(PolicyClient.class);
    static final String DECISION_PATH = "/v1/data/portcullis/decision";
    /** OPA's query parameter for the policy revision beside the result (ADR 0021). */
    static final String PROVENANCE = "?provenance=true";

    private static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
            AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> DECISION_ACTION = AttributeKey.stringKey("portcullis.decision.action");
    private static final AttributeKey<String> DECISION_ID = AttributeKey.stringKey("portcullis.decision.id");

    private final Vertx vertx;
    private final HttpClient http;
    private final String url;
    private final long timeoutMillis;
    private final ServiceToken token;
    private final Tracer tracer;
    private final TextMapPropagator propagator;

    @Inject
    public PolicyClient(Vertx vertx, ProxyConfig config, OidcClients oidc, OpenTelemetry otel) {
        this(
                vertx,
                config.policy().url(),
                config.policy().timeout(),
                config.policy().authenticate() && config.policy().clientSecret().isPresent()
                        ? new ServiceToken(oidc.getClient(), config.policy().timeout())
                        : null,
                otel);
    }

    /** {@code token} is the service token sent as bearer, or null to send none. */
    PolicyClient(Vertx vertx, String base, Duration timeout, ServiceToken token, OpenTelemetry otel) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout((int) timeout.toMillis())
                        // the span and traceparent are this class's own (below), not a second client span
                        .setTracingPolicy(TracingPolicy.IGNORE),
                new PoolOptions().setHttp1MaxSize(16));
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + DECISION_PATH + PROVENANCE;
        this.timeoutMillis = timeout.toMillis();
        this.token = token;
        this.tracer = otel.getTracer("dev.portcullis.session-proxy");
        this.propagator = otel.getPropagators().getTextMapPropagator();
    }

    /**
     * The decision within {@code timeout} in total (service token, connection, answer), or a
     * fail-closed deny: the agent never waits longer, and the reason is logged either way, on behalf
     * of the session asking. Completes on the caller's Vert.x context, whichever thread fetched the
     * token. Each call is a client span under the caller's (the session's), and the request carries
     * it as {@code traceparent}, so policy-service and its decision log continue the agent's trace.
     */
    @Override
    public Future<Decision> decide(JsonObject input) {
        Context context = vertx.getOrCreateContext();
        SessionContext session = SessionContext.current();
        Span span = tracer.spanBuilder("policy decision")
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(HTTP_REQUEST_METHOD, "POST")
                .setAttribute(URL_FULL, url)
                .startSpan();
        io.opentelemetry.context.Context trace =
                io.opentelemetry.context.Context.current().with(span);
        Promise<Decision> decision = Promise.promise();
        long deadline = vertx.setTimer(timeoutMillis, id -> {
            if (decision.tryComplete(Decision.failClosed("policy service unavailable"))) {
                warn(
                        session,
                        "policy service at %s gave no decision within %d ms (failing closed)",
                        url,
                        timeoutMillis);
            }
        });
        bearer(context, session).compose(t -> ask(input, t, trace, session)).onComplete(ar -> {
            vertx.cancelTimer(deadline);
            decision.tryComplete(ar.succeeded() ? ar.result() : Decision.failClosed("policy service unavailable"));
        });
        return decision.future().onComplete(ar -> ended(span, ar.result()));
    }

    private static void ended(Span span, Decision d) {
        span.setAttribute(DECISION_ACTION, d.action().wire());
        if (d.decisionId() != null) {
            span.setAttribute(DECISION_ID, d.decisionId());
        }
        if (d.isFailClosed()) {
            span.setStatus(StatusCode.ERROR, d.message());
        }
        span.end();
    }

    /** The service token (null when none is sent), delivered on {@code context}; a failure is logged. */
    private Future<String> bearer(Context context, SessionContext session) {
        if (token == null) {
            return Future.succeededFuture(null);
        }
        return Future.fromCompletionStage(token.get(), context)
                .onFailure(
                        e -> warn(session, "no service token for policy-service: %s (failing closed)", e.getMessage()));
    }

    private Future<Decision> ask(
            JsonObject input, String bearer, io.opentelemetry.context.Context trace, SessionContext session) {
        RequestOptions req = new RequestOptions()
                .setAbsoluteURI(url)
                .setMethod(HttpMethod.POST)
                .putHeader("Content-Type", "application/json")
                .setTimeout(timeoutMillis);
        if (bearer != null) {
            req.putHeader("Authorization", "Bearer " + bearer);
        }
        propagator.inject(trace, req, (r, name, value) -> r.putHeader(name, value));
        return http.request(req)
                .compose(r -> r.send(new JsonObject().put("input", input).toBuffer()))
                .compose(resp -> resp.body().map(body -> {
                    Span.fromContext(trace).setAttribute(HTTP_RESPONSE_STATUS_CODE, resp.statusCode());
                    if (resp.statusCode() != 200) {
                        return Decision.failClosed("policy service answered HTTP " + resp.statusCode());
                    }
                    return parse(body.toJsonObject());
                }))
                .recover(e -> {
                    warn(session, "policy service unreachable at %s: %s (failing closed)", url, e.getMessage());
                    return Future.succeededFuture(Decision.failClosed("policy service unavailable"));
                });
    }

    /** Logs on behalf of {@code session} (null: none), from whichever callback. */
    private static void warn(SessionContext session, String format, Object... args) {
        if (session == null) {
            LOG.warnf(format, args);
            return;
        }
        try (SessionContext.Entered e = session.enter()) {
            LOG.warnf(format, args);
        }
    }

    static Decision parse(JsonObject response) {
        JsonObject result = response.getJsonObject("result");
        if (result == null) {
            return Decision.failClosed("policy returned no result (is the portcullis policy loaded?)");
        }
        String action = result.getString("action", "").toLowerCase(Locale.ROOT);
        Decision.Action a = switch (action) {
            case "allow" -> Decision.Action.ALLOW;
            case "review" -> Decision.Action.REVIEW;
            case "deny" -> Decision.Action.DENY;
            default -> null;
        };
        if (a == null) {
            return Decision.failClosed("policy returned unknown action '" + action + "'");
        }
        List<MaskRule> masks = new ArrayList<>();
        JsonArray mask = result.getJsonArray("mask", new JsonArray());
        for (int i = 0; i < mask.size(); i++) {
            JsonObject m = mask.getJsonObject(i);
            masks.add(new MaskRule(m.getString("column"), m.getString("detector"), m.getString("strategy", "redact")));
        }
        return new Decision(
                a,
                strings(result.getJsonArray("reasons")),
                strings(result.getJsonArray("rules")),
                masks,
                result.getBoolean("record", true),
                response.getString("decision_id"),
                revision(response.getValue("provenance")),
                scope(result.getValue("cache")));
    }

    /**
     * {@code provenance.revision} (policy-service, and OPA with one legacy bundle), else OPA's
     * {@code provenance.bundles.<name>.revision}, all of them by name; null when there is none, and then the
     * decision is not cached.
     */
    static String revision(Object provenance) {
        if (!(provenance instanceof JsonObject p)) {
            return null;
        }
        if (p.getValue("revision") instanceof String r && !r.isEmpty()) {
            return r;
        }
        if (!(p.getValue("bundles") instanceof JsonObject bundles) || bundles.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String name : new java.util.TreeSet<>(bundles.fieldNames())) {
            if (!(bundles.getValue(name) instanceof JsonObject b) || !(b.getValue("revision") instanceof String r)) {
                return null;
            }
            out.append(name).append('=').append(r).append(';');
        }
        return out.toString();
    }

    /** {@code shape} only when policy says so in so many words; anything else (absent, unknown) is exact. */
    static Decision.CacheScope scope(Object cache) {
        return cache instanceof JsonObject c && "shape".equals(c.getValue("scope"))
                ? Decision.CacheScope.SHAPE
                : Decision.CacheScope.EXACT;
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            for (Object o : a) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }
}
