package dev.portcullis.policy.security;

import dev.portcullis.policy.config.PolicyConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;

/** The service's one {@link VerifiedTokenCache} of verified identities, with its metrics. */
@ApplicationScoped
public class TokenCache {

    private final VerifiedTokenCache<SecurityIdentity> cache;
    private final boolean enabled;

    @Inject
    public TokenCache(PolicyConfig config, MeterRegistry registry) {
        long maxAge = config.auth().tokenCacheMaxAge().toMillis();
        this.enabled = maxAge > 0;
        this.cache =
                new VerifiedTokenCache<>(config.auth().tokenCacheMaxEntries(), Math.max(1, maxAge), Clock.systemUTC());
        FunctionCounter.builder("portcullis.auth.token.cache", cache, VerifiedTokenCache::hits)
                .tag("result", "hit")
                .description("Bearer tokens accepted without re-verifying their signature")
                .register(registry);
        FunctionCounter.builder("portcullis.auth.token.cache", cache, VerifiedTokenCache::misses)
                .tag("result", "miss")
                .description("Bearer tokens not in the cache (verified by quarkus-oidc)")
                .register(registry);
    }

    /**
     * The identity quarkus-oidc built when it verified exactly this token (after every augmentor), if that was within
     * the cache's age limit and before the token's {@code exp}; else null, and the token must be verified.
     */
    public SecurityIdentity verified(String token) {
        return get(token);
    }

    SecurityIdentity get(String token) {
        return enabled ? cache.get(token) : null;
    }

    void put(String token, SecurityIdentity identity, long expiresAtSeconds) {
        if (enabled) {
            cache.put(token, identity, expiresAtSeconds);
        }
    }

    public long hits() {
        return cache.hits();
    }
}
