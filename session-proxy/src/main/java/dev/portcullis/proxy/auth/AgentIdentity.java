package dev.portcullis.proxy.auth;

import java.time.Instant;
import java.util.List;

/**
 * Who a validated token names; holds no token material.
 *
 * @param issuedAt the token's {@code iat} (its {@code exp} when it has none, which never predates a kill switch)
 */
public record AgentIdentity(
        String agent,
        String subject,
        List<String> groups,
        List<String> scopes,
        String access,
        Instant expiresAt,
        Instant issuedAt) {}
