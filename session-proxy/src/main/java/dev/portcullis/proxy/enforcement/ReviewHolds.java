package dev.portcullis.proxy.enforcement;

import dev.portcullis.proxy.config.ProxyConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Statements held for human review, by review id. A hold completes on the session's own context
 * when review-decisions says so or when the configured timeout passes; nothing blocks, so one
 * held statement never delays another session.
 */
@ApplicationScoped
public class ReviewHolds {

    private static final Logger LOG = Logger.getLogger(ReviewHolds.class);

    public enum Outcome {
        APPROVED,
        DENIED,
        EXPIRED
    }

    /** One held request: whose, on which connection (what a signed approval must name, when it names any). */
    private record Hold(Context context, Promise<Outcome> promise, long timer, String agent, String connection) {}

    private final Vertx vertx;
    private final ProxyConfig config;
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();

    public ReviewHolds(Vertx vertx, ProxyConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    /** Call on the session's context. {@code reviewId} is fresh and random: an approval of it is of this hold only. */
    public Future<Outcome> hold(String reviewId, String agent, String connection) {
        Context ctx = vertx.getOrCreateContext();
        Promise<Outcome> p = Promise.promise();
        long timer = vertx.setTimer(config.review().timeout().toMillis(), t -> complete(reviewId, Outcome.EXPIRED));
        holds.put(reviewId, new Hold(ctx, p, timer, agent, connection));
        return p.future();
    }

    /**
     * A broker-signed approval (docs/architecture.md "Events"): releases the hold of {@code reviewId} unless the
     * approval names another agent or connection than the held request's (the broker copies both from the review
     * request; a mismatch means the review is not this hold's, and the hold expires instead).
     */
    public boolean approve(String reviewId, String agent, String connection) {
        Hold h = holds.get(reviewId);
        if (h != null && (names(agent, h.agent) || names(connection, h.connection))) {
            LOG.warnf(
                    "review %s: the approval names another agent or connection than the held request; ignored",
                    reviewId);
            return false;
        }
        return complete(reviewId, Outcome.APPROVED);
    }

    private static boolean names(String approved, String held) {
        return approved != null && !approved.equals(held);
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
