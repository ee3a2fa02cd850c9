package dev.portcullis.policy.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Puts {@link VerifiedTokenCache} in front of quarkus-oidc: tried before quarkus-oidc's provider,
 * it answers a token it has seen verified with the identity built then (bound to the current
 * request), and answers null otherwise, so quarkus-oidc verifies the token as usual.
 * {@link TokenCacheAugmentor} fills the cache. The augmentors run again on a cached identity.
 */
@ApplicationScoped
public class TokenCacheIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    /** Marks an identity served from the cache, so the augmentor does not store it again. */
    static final String FROM_CACHE = "portcullis.token-cache";

    @Inject
    TokenCache tokens;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Before quarkus-oidc's provider, which has the default priority (1001; higher goes first). */
    @Override
    public int priority() {
        return 2000;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        SecurityIdentity cached = tokens.get(request.getToken().getToken());
        if (cached == null) {
            return Uni.createFrom().nullItem();
        }
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder(cached)
                .addAttribute(FROM_CACHE, Boolean.TRUE)
                .addAttribute(AuthenticationRequestContext.class.getName(), context);
        RoutingContext current = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (current != null) {
            identity.addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, current)
                    .addAttribute(RoutingContext.class.getName(), current);
        }
        return Uni.createFrom().item(identity.build());
    }
}
