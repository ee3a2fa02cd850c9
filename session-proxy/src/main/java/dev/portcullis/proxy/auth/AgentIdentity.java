package dev.portcullis.proxy.auth;

import java.time.Instant;
import java.util.List;

/** Who a validated token names; holds no token material. */
public record AgentIdentity(String agent, String subject, List<String> groups, List<String> scopes, String access,
        Instant expiresAt) {
}
