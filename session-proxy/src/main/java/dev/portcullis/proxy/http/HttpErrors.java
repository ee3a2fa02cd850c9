package dev.portcullis.proxy.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Error answers in the shape the client understands: a Kubernetes {@code Status} (so kubectl
 * prints "Error from server (Forbidden): …") for Kubernetes connections and for requests not yet
 * tied to a connection, RFC 9457 problem details for plain HTTP connections. Messages never carry
 * a token or a backend credential.
 */
final class HttpErrors {

    private HttpErrors() {}

    static JsonObject status(int code, String reason, String message) {
        return new JsonObject()
                .put("kind", "Status")
                .put("apiVersion", "v1")
                .put("metadata", new JsonObject())
                .put("status", "Failure")
                .put("message", message)
                .put("reason", reason)
                .put("code", code);
    }

    static void send(HttpServerResponse r, boolean kubernetes, int code, String reason, String message) {
        if (r.headWritten() || r.closed()) {
            r.reset();
            return;
        }
        String body;
        if (kubernetes) {
            r.putHeader("Content-Type", "application/json");
            body = status(code, reason, message).encode();
        } else {
            r.putHeader("Content-Type", "application/problem+json");
            body = new JsonObject()
                    .put("type", "about:blank")
                    .put("title", HttpResponseStatus.valueOf(code).reasonPhrase())
                    .put("status", code)
                    .put("detail", message)
                    .encode();
        }
        if (code == 401) {
            r.putHeader("WWW-Authenticate", "Bearer realm=\"portcullis\"");
        }
        r.setStatusCode(code).end(body);
    }
}
