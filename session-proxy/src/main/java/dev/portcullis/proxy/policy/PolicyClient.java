package dev.portcullis.proxy.policy;

import dev.portcullis.proxy.config.ProxyConfig;
import dev.portcullis.proxy.enforcement.Decision;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.PolicyDecider;
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

    private final Vertx vertx;
    private final HttpClient http;
    private final String url;
    private final long timeoutMillis;
    private final ServiceToken token;

    @Inject
    public PolicyClient(Vertx vertx, ProxyConfig config, OidcClients oidc) {
        this(
                vertx,
                config.policy().url(),
                config.policy().timeout(),
                config.policy().authenticate() && config.policy().clientSecret().isPresent()
                        ? new ServiceToken(oidc.getClient(), config.policy().timeout())
                        : null);
    }

    /** {@code token} is the service token sent as bearer, or null to send none. */
    PolicyClient(Vertx vertx, String base, Duration timeout, ServiceToken token) {
        this.vertx = vertx;
        this.http = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) timeout.toMillis()),
                new PoolOptions().setHttp1MaxSize(16));
        this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + DECISION_PATH;
        this.timeoutMillis = timeout.toMillis();
        this.token = token;
    }

    /**
     * The decision within {@code timeout} in total (service token, connection, answer), or a
     * fail-closed deny: the agent never waits longer, and the reason is logged either way. Completes
     * on the caller's Vert.x context, whichever thread fetched the token.
     */
    @Override
    public Future<Decision> decide(JsonObject input) {
        Context context = vertx.getOrCreateContext();
        Promise<Decision> decision = Promise.promise();
        long deadline = vertx.setTimer(timeoutMillis, id -> {
            if (decision.tryComplete(Decision.failClosed("policy service unavailable"))) {
                LOG.warnf("policy service at %s gave no decision within %d ms (failing closed)", url, timeoutMillis);
            }
        });
        bearer(context).compose(t -> ask(input, t)).onComplete(ar -> {
            vertx.cancelTimer(deadline);
            decision.tryComplete(ar.succeeded() ? ar.result() : Decision.failClosed("policy service unavailable"));
        });
        return decision.future();
    }

    /** The service token (null when none is sent), delivered on {@code context}; a failure is logged. */
    private Future<String> bearer(Context context) {
        if (token == null) {
            return Future.succeededFuture(null);
        }
        return Future.fromCompletionStage(token.get(), context)
                .onFailure(e -> LOG.warnf("no service token for policy-service: %s (failing closed)", e.getMessage()));
    }

    private Future<Decision> ask(JsonObject input, String bearer) {
        RequestOptions req = new RequestOptions()
                .setAbsoluteURI(url)
                .setMethod(HttpMethod.POST)
                .putHeader("Content-Type", "application/json")
                .setTimeout(timeoutMillis);
        if (bearer != null) {
            req.putHeader("Authorization", "Bearer " + bearer);
        }
        return http.request(req)
                .compose(r -> r.send(new JsonObject().put("input", input).toBuffer()))
                .compose(resp -> resp.body().map(body -> {
                    if (resp.statusCode() != 200) {
                        return Decision.failClosed("policy service answered HTTP " + resp.statusCode());
                    }
                    return parse(body.toJsonObject());
                }))
                .recover(e -> {
                    LOG.warnf("policy service unreachable at %s: %s (failing closed)", url, e.getMessage());
                    return Future.succeededFuture(Decision.failClosed("policy service unavailable"));
                });
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
                response.getString("decision_id"));
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
