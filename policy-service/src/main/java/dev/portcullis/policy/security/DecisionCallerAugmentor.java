package dev.portcullis.policy.security;

import dev.portcullis.policy.config.PolicyConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Decision endpoints are for service callers: the service account of a client named in
 * {@code portcullis.policy.auth.decision-clients}. The client is the {@code azp} of the token
 * quarkus-oidc has already verified (signature, issuer, audience, expiry); a human's token
 * (azp portcullis-cli) or another client's never gets the role.
 */
@ApplicationScoped
public class DecisionCallerAugmentor implements SecurityIdentityAugmentor {

    @Inject
    PolicyConfig config;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        if (!isDecisionClient(jwt)) {
            return Uni.createFrom().item(identity);
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder(identity)
                        .addRole(Roles.DECISION_CLIENT)
                        .build());
    }

    /** Whether the verified token's {@code azp} is one of {@code portcullis.policy.auth.decision-clients}. */
    public boolean isDecisionClient(JsonWebToken jwt) {
        Object azp = jwt.getClaim("azp");
        return azp != null && config.auth().decisionClients().contains(azp.toString());
    }
}
