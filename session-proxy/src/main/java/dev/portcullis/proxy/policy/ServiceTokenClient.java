package dev.portcullis.proxy.policy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * session-proxy's own client_credentials token for calls to other services, fetched without
 * blocking and reused until shortly before it expires. Never logged.
 */
public final class ServiceTokenClient {

    private final HttpClient http;
    private final String tokenUrl;
    private final String form;
    private final Duration timeout;
    private volatile String token;
    private volatile long refreshAtMillis;
    private Future<String> inFlight;

    public ServiceTokenClient(
            Vertx vertx, HttpClient http, String tokenUrl, String clientId, String clientSecret, Duration timeout) {
        this.http = http;
        this.tokenUrl = tokenUrl;
        this.timeout = timeout;
        this.form = "grant_type=client_credentials&client_id=" + enc(clientId) + "&client_secret=" + enc(clientSecret);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public synchronized Future<String> token() {
        String t = token;
        if (t != null && System.currentTimeMillis() < refreshAtMillis) {
            return Future.succeededFuture(t);
        }
        if (inFlight != null) {
            return inFlight;
        }
        Promise<String> p = Promise.promise();
        inFlight = p.future();
        RequestOptions req = new RequestOptions()
                .setAbsoluteURI(tokenUrl)
                .setMethod(HttpMethod.POST)
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .setTimeout(timeout.toMillis());
        http.request(req)
                .compose(r -> r.send(Buffer.buffer(form)))
                .compose(resp -> resp.body().map(body -> {
                    if (resp.statusCode() != 200) {
                        throw new IllegalStateException("token endpoint answered HTTP " + resp.statusCode());
                    }
                    JsonObject json = body.toJsonObject();
                    long expiresIn = json.getLong("expires_in", 60L);
                    refreshAtMillis = System.currentTimeMillis() + Math.max(5, expiresIn - 30) * 1000;
                    token = json.getString("access_token");
                    return token;
                }))
                .onComplete(ar -> {
                    synchronized (this) {
                        inFlight = null;
                    }
                    if (ar.succeeded()) {
                        p.complete(ar.result());
                    } else {
                        p.fail(ar.cause());
                    }
                });
        return p.future();
    }

    @Override
    public String toString() {
        return "ServiceTokenClient[" + tokenUrl + "]";
    }
}
