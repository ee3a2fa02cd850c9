package dev.portcullis.policy.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Remembers each identity quarkus-oidc built from a verified bearer token, keyed by that token, so
 * {@link TokenCacheIdentityProvider} can answer the same token next time. Identities served from
 * the cache are not stored again (that would stretch the entry's age limit).
 */
@ApplicationScoped
public class TokenCacheAugmentor implements SecurityIdentityAugmentor {

    @Inject
    TokenCache tokens;

    /** Runs after the other augmentors. */
    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!identity.isAnonymous()
                && identity.getAttribute(TokenCacheIdentityProvider.FROM_CACHE) == null
                && identity.getPrincipal() instanceof JsonWebToken jwt
                && jwt.getRawToken() != null) {
            tokens.put(jwt.getRawToken(), withoutRequest(identity), jwt.getExpirationTime());
        }
        return Uni.createFrom().item(identity);
    }

    /** Attributes that belong to the request the identity was built for (quarkus-oidc sets all three). */
    private static final Set<String> PER_REQUEST = Set.of(
            HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE,
            RoutingContext.class.getName(),
            AuthenticationRequestContext.class.getName());

    /** The identity without the request it was built for, so the cache holds no request state. */
    private static SecurityIdentity withoutRequest(SecurityIdentity identity) {
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(identity.getPrincipal())
                .addRoles(identity.getRoles())
                .addCredentials(identity.getCredentials())
                .addPermissionChecker(identity::checkPermission);
        for (Map.Entry<String, Object> a : identity.getAttributes().entrySet()) {
            if (!PER_REQUEST.contains(a.getKey())) {
                b.addAttribute(a.getKey(), a.getValue());
            }
        }
        return b.build();
    }
}
