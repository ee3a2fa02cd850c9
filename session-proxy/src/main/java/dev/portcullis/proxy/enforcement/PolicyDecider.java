package dev.portcullis.proxy.enforcement;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Asks policy for one request. Implementations must never fail the future: an unreachable or
 * confused policy service yields {@link Decision#failClosed}.
 */
@FunctionalInterface
public interface PolicyDecider {

    Future<Decision> decide(JsonObject input);

    /** The ready default: everything denied. */
    PolicyDecider DENY_ALL = input -> Future.succeededFuture(Decision.failClosed("no policy configured"));
}
