package dev.portcullis.broker.service;

import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.api.TokenApi.MintRequest;
import dev.portcullis.broker.api.TokenApi.MintResponse;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.Connection;
import dev.portcullis.broker.keycloak.KeycloakTokenClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Mints session tokens: checks the agent and its active grant, then has Keycloak exchange the
 * agent's own token for one with exactly the granted {@code conn:} scope and audience session-proxy.
 *
 * <p>Keycloak gives an exchanged token the lifespan configured on the broker's client
 * ({@code portcullis.tokens.lifespan}); it cannot shorten a single token. So the broker never
 * mints when the grant ends before such a token would, and says when a requested {@code ttl}
 * differs from the lifetime the token really has.
 */
@ApplicationScoped
public class TokenService {

    private final Pool pool;
    private final GrantService grantService;
    private final KeycloakTokenClient keycloak;
    private final BrokerConfig config;
    private final ConnectionHints hints;
    // looked up once: a registry lookup per mint builds and hashes the meter id each time
    private final Counter minted;
    private final Counter refusedNoGrant;
    private final Counter refusedGrantEnding;

    public TokenService(
            Pool pool,
            GrantService grantService,
            KeycloakTokenClient keycloak,
            BrokerConfig config,
            ConnectionHints hints,
            MeterRegistry metrics) {
        this.pool = pool;
        this.grantService = grantService;
        this.keycloak = keycloak;
        this.config = config;
        this.hints = hints;
        this.minted = metrics.counter("portcullis_broker_tokens_minted");
        this.refusedNoGrant = metrics.counter("portcullis_broker_tokens_refused", "reason", "no_grant");
        this.refusedGrantEnding = metrics.counter("portcullis_broker_tokens_refused", "reason", "grant_ending");
    }

    /** The agent's state and its longest-lasting active grant (null if none) for one scope. */
    private record Entitlement(boolean known, boolean enabled, ActiveGrant grant) {}

    private record ActiveGrant(UUID id, OffsetDateTime expiresAt) {}

    /**
     * The hot path of every mint: one round trip on the reactive client, no ORM session. The
     * grant that lasts longest wins (open-ended first).
     */
    private Uni<Entitlement> entitlement(String agent, String connection, String access, OffsetDateTime now) {
        return pool.preparedQuery(ENTITLEMENT_SQL)
                .execute(Tuple.of(agent, connection, access, now))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new Entitlement(false, false, null);
                    }
                    boolean enabled = false;
                    ActiveGrant best = null;
                    for (Row r : rows) {
                        enabled = r.getBoolean("enabled");
                        UUID id = r.getUUID("grant_id");
                        if (id == null) {
                            continue;
                        }
                        OffsetDateTime end = r.getOffsetDateTime("expires_at");
                        if (best == null
                                || best.expiresAt() != null && (end == null || end.isAfter(best.expiresAt()))) {
                            best = new ActiveGrant(id, end);
                        }
                    }
                    return new Entitlement(true, enabled, best);
                });
    }

    static final String ENTITLEMENT_SQL = """
            SELECT a.enabled, g.id AS grant_id, g.expires_at
              FROM agent a
              LEFT JOIN access_grant g
                ON g.agent_id = a.id AND g.connection = $2 AND g.access = $3 AND g.status = 'ACTIVE'
               AND g.starts_at <= $4 AND (g.expires_at IS NULL OR g.expires_at > $4)
             WHERE a.name = $1""";

    public Uni<MintResponse> mint(String agentName, String subjectToken, MintRequest req) {
        Connection connection = grantService.requireConnection(req.connection(), req.access());
        long lifespan = config.tokens().lifespan().toSeconds();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return entitlement(agentName, req.connection(), req.access(), now).flatMap(e -> {
            if (!e.known()) {
                throw ProblemException.forbidden("agent " + agentName + " is not managed by this broker");
            }
            if (!e.enabled()) {
                throw ProblemException.forbidden("agent " + agentName + " is disabled");
            }
            ActiveGrant grant = e.grant();
            if (grant == null) {
                refusedNoGrant.increment();
                throw ProblemException.forbidden(
                        "agent " + agentName + " has no active grant for " + connection.scope(req.access()));
            }
            OffsetDateTime tokenEnd = now.plusSeconds(lifespan);
            if (grant.expiresAt() != null && grant.expiresAt().isBefore(tokenEnd)) {
                refusedGrantEnding.increment();
                throw new ProblemException(
                        409,
                        "Conflict",
                        "the grant ends at " + grant.expiresAt()
                                + ", before a token minted now would expire (tokens live " + lifespan
                                + "s); ask for a new grant");
            }
            String notice = null;
            if (req.ttl() != null && req.ttl() > lifespan) {
                notice = "ttl " + req.ttl() + "s is above the cap; clamped to " + lifespan + "s";
            } else if (req.ttl() != null && req.ttl() < lifespan) {
                notice = "ttl " + req.ttl() + "s is below the token lifetime Keycloak issues; the token lives "
                        + lifespan + "s";
            }
            String scope = connection.scope(req.access());
            String note = notice;
            return keycloak.exchange(subjectToken, scope).map(t -> {
                minted.increment();
                return new MintResponse(
                        t.accessToken(),
                        "Bearer",
                        t.expiresIn(),
                        t.scope(),
                        now.plusSeconds(t.expiresIn()),
                        grant.id().toString(),
                        grant.expiresAt(),
                        req.ttl(),
                        note,
                        hints.of(connection, agentName));
            });
        });
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
