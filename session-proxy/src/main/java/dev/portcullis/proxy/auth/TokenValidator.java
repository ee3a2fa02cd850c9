package dev.portcullis.proxy.auth;

import dev.portcullis.proxy.config.ProxyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

/**
 * Validates agent session tokens as docs/architecture.md "Tokens" says: signature by the realm's JWKS
 * (cached; an unknown {@code kid} triggers a refresh), {@code iss}, {@code aud} contains
 * session-proxy, {@code exp}/{@code nbf}, a subject that is an agent identity-broker manages
 * ({@link ManagedAgentRule}), and a {@code conn:<connection>:<access>} scope for the connection asked for. Only asymmetric signature algorithms are accepted, so {@code alg: none}
 * and HMAC-with-the-public-key tokens fail. Blocking (JWKS fetch): call on a worker thread.
 */
@ApplicationScoped
public class TokenValidator {

    private static final Logger LOG = Logger.getLogger(TokenValidator.class);

    /** The token is not acceptable; the message is for logs, never for the client. */
    public static final class InvalidTokenException extends Exception {
        private final boolean missingScope;

        public InvalidTokenException(String message) {
            this(message, false);
        }

        InvalidTokenException(String message, boolean missingScope) {
            super(message, null, false, false);
            this.missingScope = missingScope;
        }

        /** The token is valid but grants nothing on the connection asked for (403 rather than 401). */
        public boolean missingScope() {
            return missingScope;
        }
    }

    private static final String[] ASYMMETRIC = {
        AlgorithmIdentifiers.RSA_USING_SHA256,
        AlgorithmIdentifiers.RSA_USING_SHA384,
        AlgorithmIdentifiers.RSA_USING_SHA512,
        AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
        AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
        AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
        AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
        AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512,
        AlgorithmIdentifiers.EDDSA
    };

    private final JwtConsumer consumer;
    private final ManagedAgentRule agents;

    public TokenValidator(ProxyConfig config) {
        String issuer = config.token().issuer();
        String jwksUrl = config.token().jwksUrl().orElse(issuer + "/protocol/openid-connect/certs");
        HttpsJwks jwks = new HttpsJwks(jwksUrl);
        jwks.setDefaultCacheDuration(300);
        jwks.setRetainCacheOnErrorDuration(60);
        HttpsJwksVerificationKeyResolver resolver = new HttpsJwksVerificationKeyResolver(jwks);
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds((int) config.token().clockSkew().toSeconds())
                .setExpectedIssuer(issuer)
                .setExpectedAudience(true, config.token().audience())
                .setVerificationKeyResolver(resolver)
                .setJwsAlgorithmConstraints(
                        new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, ASYMMETRIC))
                .setRequireSubject()
                .build();
        this.agents =
                new ManagedAgentRule(config.token().agentRole(), config.token().exchangeClients());
        LOG.infof(
                "agent tokens: issuer %s, audience %s, keys from %s, realm role %s, exchange clients %s",
                issuer,
                config.token().audience(),
                jwksUrl,
                config.token().agentRole(),
                config.token().exchangeClients());
    }

    /**
     * @param accessLevels the access levels the connection offers; the token needs
     *        {@code conn:<connection>:<one of them>}
     */
    public AgentIdentity validate(String token, String connection, List<String> accessLevels)
            throws InvalidTokenException {
        if (token == null || token.isBlank() || token.length() > 16384) {
            throw new InvalidTokenException("no token or oversized token");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token.strip());
        } catch (InvalidJwtException e) {
            throw new InvalidTokenException("token rejected: " + summary(e));
        }
        try {
            // who before what: a token that is no managed agent's fails as a bad token (28P01 / 401), whatever its
            // scopes
            String agent = agents.agent(
                    claims.getStringClaimValue("preferred_username"),
                    claims.getStringClaimValue("azp"),
                    claims.getClaimValue("realm_access"));
            Object scopeClaim = claims.getClaimValue("scope");
            List<String> scopes =
                    scopeClaim instanceof String s ? Arrays.asList(s.trim().split("\\s+")) : List.of();
            String prefix = "conn:" + connection + ":";
            String access = null;
            List<String> connScopes = new ArrayList<>();
            for (String s : scopes) {
                if (s.startsWith("conn:")) {
                    connScopes.add(s);
                }
                if (s.startsWith(prefix) && accessLevels.contains(s.substring(prefix.length()))) {
                    String a = s.substring(prefix.length());
                    // the widest granted level wins: accessLevels is ordered narrow → wide
                    if (access == null || accessLevels.indexOf(a) > accessLevels.indexOf(access)) {
                        access = a;
                    }
                }
            }
            if (access == null) {
                throw new InvalidTokenException("token has no scope for connection " + connection, true);
            }
            List<String> groups = claims.hasClaim("groups") ? claims.getStringListClaimValue("groups") : List.of();
            Instant exp = Instant.ofEpochMilli(claims.getExpirationTime().getValueInMillis());
            Instant iat = claims.getIssuedAt() == null
                    ? exp
                    : Instant.ofEpochMilli(claims.getIssuedAt().getValueInMillis());
            return new AgentIdentity(agent, claims.getSubject(), groups, List.copyOf(connScopes), access, exp, iat);
        } catch (MalformedClaimException e) {
            throw new InvalidTokenException("malformed claim: " + e.getMessage());
        }
    }

    /** Why a token failed, from jose4j's error codes only: its messages can quote the token itself. */
    private static String summary(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "expired";
        }
        List<String> why = new ArrayList<>();
        e.getErrorDetails()
                .forEach(d -> why.add(
                        switch (d.getErrorCode()) {
                            case ErrorCodes.AUDIENCE_INVALID, ErrorCodes.AUDIENCE_MISSING ->
                                "audience does not contain session-proxy";
                            case ErrorCodes.ISSUER_INVALID, ErrorCodes.ISSUER_MISSING -> "wrong or missing issuer";
                            case ErrorCodes.SIGNATURE_INVALID -> "invalid signature";
                            case ErrorCodes.NOT_YET_VALID -> "not yet valid";
                            case ErrorCodes.EXPIRATION_MISSING -> "no expiry";
                            case ErrorCodes.SUBJECT_MISSING -> "no subject";
                            case ErrorCodes.MALFORMED_CLAIM -> "malformed claim";
                            case ErrorCodes.MISCELLANEOUS ->
                                d.getErrorMessage().contains("algorithm")
                                                || d.getErrorMessage().contains("verification key")
                                        ? "algorithm not accepted or no matching key"
                                        : "not a valid signed JWT";
                            default -> "rejected (jose4j code " + d.getErrorCode() + ")";
                        }));
        return why.isEmpty() ? "invalid JWT" : String.join("; ", why);
    }
}
