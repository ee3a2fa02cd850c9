package dev.portcullis.proxy;

import dev.portcullis.proxy.enforcement.DecisionCache;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The proxy's one {@link DecisionCache}, shared by the gateways, so that a decision carrying a new policy revision
 * drops the old entries of every protocol at once (ADR 0021).
 */
public class DecisionCacheProducer {

    /** Entries of all protocols together; at about 200 bytes each, a few megabytes at most. */
    static final int MAX_ENTRIES = 20_000;

    @Produces
    @Singleton
    DecisionCache decisionCache() {
        return new DecisionCache(MAX_ENTRIES);
    }
}
