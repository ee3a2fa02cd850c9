package dev.portcullis.proxy.enforcement;

import dev.portcullis.proxy.config.ProxyConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Statements held for human review, by review id. A hold completes on the session's own context
 * when review-decisions says so or when the configured timeout passes; nothing blocks, so one
 * held statement never delays another session.
 */
@ApplicationScoped
public class ReviewHolds {

    public enum Outcome {
        APPROVED,
        DENIED,
        EXPIRED
    }

    private record Hold(Context context, Promise<Outcome> promise, long timer) {}

    private final Vertx vertx;
    private final ProxyConfig config;
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    public ReviewHolds(Vertx vertx, ProxyConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    /** Call on the session's context. */
    public Future<Outcome> hold(String reviewId) {
        Context ctx = vertx.getOrCreateContext();
        Promise<Outcome> p = Promise.promise();
        long timer = vertx.setTimer(config.review().timeout().toMillis(), t -> complete(reviewId, Outcome.EXPIRED));
        holds.put(reviewId, new Hold(ctx, p, timer));
        return p.future();
    }

    /** From any thread; unknown ids (another instance's reviews) are ignored. */
    public boolean complete(String reviewId, Outcome outcome) {
        Hold h = holds.remove(reviewId);
        if (h == null) {
            return false;
        }
        vertx.cancelTimer(h.timer);
        h.context.runOnContext(v -> h.promise.tryComplete(outcome));
        return true;
    }

    /** A session that ends abandons its holds. */
    public void abandon(String reviewId) {
        Hold h = holds.remove(reviewId);
        if (h != null) {
            vertx.cancelTimer(h.timer);
        }
    }

    public int pending() {
        return holds.size();
    }
}
