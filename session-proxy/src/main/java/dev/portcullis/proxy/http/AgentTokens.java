package dev.portcullis.proxy.http;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.auth.AgentIdentity;
import dev.portcullis.proxy.auth.TokenValidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates the agent's bearer token per request with {@link TokenValidator} (the same checks as
 * the PostgreSQL and SSH paths), on a worker thread because a JWKS refresh blocks. kubectl sends
 * the same token on every request, so a validated token is remembered until it expires, keyed by
 * its SHA-256 and the connection (never by the token itself). Refusals are not remembered.
 */
final class AgentTokens {

    private static final int MAX_ENTRIES = 10_000;

    private record Entry(AgentIdentity identity, Instant expiresAt) {}

    private final Vertx vertx;
    private final TokenValidator validator;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    AgentTokens(Vertx vertx, TokenValidator validator) {
        this.vertx = vertx;
        this.validator = validator;
    }

    /** Fails with {@link TokenValidator.InvalidTokenException}. */
    Future<AgentIdentity> validate(String token, Connection connection) {
        String key = connection.name() + ' ' + sha256(token);
        Entry e = cache.get(key);
        Instant now = Instant.now();
        if (e != null) {
            if (now.isBefore(e.expiresAt)) {
                return Future.succeededFuture(e.identity);
            }
            cache.remove(key);
        }
        return vertx.executeBlocking(
                        () -> validator.validate(token, connection.name(), AccessLevel.ids(connection.accessLevels())),
                        false)
                .onSuccess(identity -> {
                    if (cache.size() >= MAX_ENTRIES) {
                        cache.entrySet().removeIf(x -> !Instant.now().isBefore(x.getValue().expiresAt));
                        if (cache.size() >= MAX_ENTRIES) {
                            cache.clear();
                        }
                    }
                    cache.put(key, new Entry(identity, identity.expiresAt()));
                });
    }

    static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
