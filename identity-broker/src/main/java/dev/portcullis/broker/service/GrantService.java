package dev.portcullis.broker.service;

import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.connection.Connection;
import dev.portcullis.broker.connection.ConnectionCatalog;
import dev.portcullis.broker.entity.Agent;
import dev.portcullis.broker.entity.Grant;
import dev.portcullis.broker.events.EventPublisher;
import dev.portcullis.broker.keycloak.KeycloakAdmin;
import dev.portcullis.broker.repository.AgentRepository;
import dev.portcullis.broker.repository.GrantRepository;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.GrantChanged;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Grants. While a grant is active its {@code conn:} scope is an optional scope of the agent's
 * Keycloak client, so Keycloak itself refuses the scope to an agent without one.
 */
@ApplicationScoped
public class GrantService {

    private static final Logger LOG = Logger.getLogger(GrantService.class);
    public static final String TARGET = "grant";

    private final GrantRepository grants;
    private final AgentRepository agents;
    private final ConnectionCatalog connections;
    private final KeycloakAdmin keycloak;
    private final AuditService audit;
    private final EventPublisher events;

    public GrantService(
            GrantRepository grants,
            AgentRepository agents,
            ConnectionCatalog connections,
            KeycloakAdmin keycloak,
            AuditService audit,
            EventPublisher events) {
        this.grants = grants;
        this.agents = agents;
        this.connections = connections;
        this.keycloak = keycloak;
        this.audit = audit;
        this.events = events;
    }

    /** The connection, or 404; the access level must be one it declares, else 422. */
    public Connection requireConnection(String name, String access) {
        Connection c =
                connections.find(name).orElseThrow(() -> ProblemException.notFound("no connection named " + name));
        if (!c.accessLevels().contains(access)) {
            throw ProblemException.unprocessable(
                    "connection " + name + " has no access level '" + access + "' (it has " + c.accessLevels() + ")");
        }
        return c;
    }

    /**
     * Creates an active grant: assigns the scope in Keycloak, then writes the row and audit, then
     * publishes {@code grant.created}. Run inside no transaction; it opens its own.
     */
    public Uni<Grant> create(
            Agent agent,
            String connection,
            String access,
            Grant.Kind kind,
            UUID requestId,
            OffsetDateTime expiresAt,
            String actor) {
        requireConnection(connection, access);
        OffsetDateTime now = now();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw ProblemException.unprocessable("the grant would end in the past (" + expiresAt + ")");
        }
        Grant g = new Grant();
        g.id = UUID.randomUUID();
        g.agentId = agent.id;
        g.connection = connection;
        g.access = access;
        g.kind = kind;
        g.requestId = requestId;
        g.status = Grant.Status.ACTIVE;
        g.startsAt = now;
        g.expiresAt = expiresAt;
        g.createdBy = actor;
        g.createdAt = now;
        return keycloak.addOptionalScope(agent.keycloakId, g.scope())
                .flatMap(v -> Panache.withTransaction(() -> grants.persist(g)
                        .call(() -> audit.record(
                                actor,
                                EventTypes.GRANT_CREATED,
                                TARGET,
                                g.id,
                                Map.of(
                                        "agent",
                                        agent.name,
                                        "scope",
                                        g.scope(),
                                        "kind",
                                        kind.name(),
                                        "expires_at",
                                        String.valueOf(expiresAt))))))
                .call(saved -> publish(EventTypes.GRANT_CREATED, saved, agent.name, actor));
    }

    public Uni<Grant> revoke(UUID id, String actor) {
        return Panache.withTransaction(() -> grants.findById(id).flatMap(g -> {
                    if (g == null) {
                        throw ProblemException.notFound("no grant " + id);
                    }
                    if (g.status != Grant.Status.ACTIVE) {
                        throw ProblemException.conflict(
                                "grant " + id + " is already " + g.status.name().toLowerCase());
                    }
                    g.status = Grant.Status.REVOKED;
                    g.endedAt = now();
                    g.endedBy = actor;
                    return audit.record(actor, EventTypes.GRANT_REVOKED, TARGET, g.id, Map.of("scope", g.scope()))
                            .replaceWith(g);
                }))
                .call(this::releaseScope)
                .call(g -> agentName(g.agentId).flatMap(name -> publish(EventTypes.GRANT_REVOKED, g, name, actor)));
    }

    /** Ends every active grant whose time is up. Returns how many ended. */
    public Uni<Integer> expireDue() {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> grants.dueToExpire(now, 100).flatMap(due -> {
                    for (Grant g : due) {
                        g.status = Grant.Status.EXPIRED;
                        g.endedAt = now;
                        g.endedBy = "system";
                    }
                    return Multi.createFrom()
                            .iterable(due)
                            .onItem()
                            .transformToUniAndConcatenate(g -> audit.record(
                                            "system",
                                            EventTypes.GRANT_EXPIRED,
                                            TARGET,
                                            g.id,
                                            Map.of("scope", g.scope()))
                                    .replaceWith(g))
                            .collect()
                            .asList();
                }))
                .flatMap(ended -> Multi.createFrom()
                        .iterable(ended)
                        .onItem()
                        .transformToUniAndConcatenate(g -> releaseScope(g)
                                .call(() -> agentName(g.agentId)
                                        .flatMap(name -> publish(EventTypes.GRANT_EXPIRED, g, name, "system")))
                                .onFailure()
                                .recoverWithItem(e -> {
                                    LOG.errorf("grant %s expired, but releasing it failed: %s", g.id, e.getMessage());
                                    return null;
                                }))
                        .collect()
                        .asList()
                        .map(List::size));
    }

    /** Removes the scope from the agent's client unless another active grant still covers it. */
    private Uni<Void> releaseScope(Grant g) {
        return Panache.withSession(() -> grants.active(g.agentId, g.connection, g.access, now())
                        .flatMap(others -> others.isEmpty()
                                ? agents.findById(g.agentId)
                                : Uni.createFrom().nullItem()))
                .flatMap(agent -> agent == null
                        ? Uni.createFrom().voidItem()
                        : keycloak.removeOptionalScope(agent.keycloakId, g.scope()));
    }

    private Uni<String> agentName(UUID agentId) {
        return Panache.withSession(() -> agents.findById(agentId)).map(a -> a == null ? agentId.toString() : a.name);
    }

    private Uni<Void> publish(String type, Grant g, String agent, String actor) {
        GrantChanged data = new GrantChanged(
                g.id.toString(),
                agent,
                g.connection,
                g.access,
                g.scope(),
                g.kind.name().toLowerCase(),
                g.status.name().toLowerCase(),
                actor,
                g.startsAt.toString(),
                g.expiresAt == null ? null : g.expiresAt.toString(),
                g.endedAt == null ? null : g.endedAt.toString());
        return events.identityEvent(type, g.id.toString(), agent, data);
    }

    public Uni<List<Grant>> forAgent(UUID agentId, boolean activeOnly) {
        return Panache.withSession(() -> grants.forAgent(agentId, activeOnly));
    }

    public static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
