package dev.portcullis.broker.service;

import dev.portcullis.broker.api.AccessRequestApi.ApprovalView;
import dev.portcullis.broker.api.AccessRequestApi.Create;
import dev.portcullis.broker.api.AccessRequestApi.View;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.config.BrokerConfig;
import dev.portcullis.broker.connection.Connection;
import dev.portcullis.broker.entity.AccessRequest;
import dev.portcullis.broker.entity.Agent;
import dev.portcullis.broker.entity.Approval;
import dev.portcullis.broker.entity.Grant;
import dev.portcullis.broker.notify.Notifier;
import dev.portcullis.broker.repository.AccessRequestRepository;
import dev.portcullis.broker.repository.AgentRepository;
import dev.portcullis.broker.repository.ApprovalRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Just-in-time access: an agent (for itself) or its owner asks; approvers decide; enough approvals
 * turn the request into a grant that ends on time. Nobody approves a request they made or one for
 * an agent they own; connections with a two-person tag need two distinct approvers, and a connection with
 * {@code approvers} groups is decided only by members of one of them.
 */
@ApplicationScoped
public class AccessRequestService {

    public static final String TARGET = "access-request";

    private final AccessRequestRepository requests;
    private final ApprovalRepository approvals;
    private final AgentRepository agents;
    private final GrantService grants;
    private final AuditService audit;
    private final Notifier notifier;
    private final BrokerConfig.AccessRequests config;
    private final Map<String, String> twoPersonTags;

    public AccessRequestService(
            AccessRequestRepository requests,
            ApprovalRepository approvals,
            AgentRepository agents,
            GrantService grants,
            AuditService audit,
            Notifier notifier,
            BrokerConfig config) {
        this.requests = requests;
        this.approvals = approvals;
        this.agents = agents;
        this.grants = grants;
        this.audit = audit;
        this.notifier = notifier;
        this.config = config.accessRequests();
        this.twoPersonTags = BrokerConfig.parseTags(this.config.twoPersonTags());
    }

    /** Who asks: the agent itself ({@code callerAgent}), or a human ({@code username}). */
    public record Requester(String callerAgent, String username, boolean admin) {
        String name() {
            return callerAgent != null ? "agent:" + callerAgent : username;
        }
    }

    public Uni<View> create(Create req, Requester who) {
        String agentName = req.agent() != null && !req.agent().isBlank() ? req.agent() : who.callerAgent();
        if (agentName == null) {
            throw ProblemException.unprocessable("name the agent the access is for");
        }
        if (who.callerAgent() != null && !who.callerAgent().equals(agentName)) {
            throw ProblemException.forbidden("an agent can only ask for access for itself");
        }
        Connection connection = grants.requireConnection(req.connection(), req.access());
        Duration d = req.duration();
        if (d.isNegative() || d.isZero()) {
            throw ProblemException.unprocessable("duration must be positive");
        }
        if (d.compareTo(config.maxDuration()) > 0) {
            throw ProblemException.unprocessable("duration " + d + " is above the maximum " + config.maxDuration());
        }
        int required = needsTwoPersons(connection) ? 2 : 1;
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> agents.findByName(agentName).flatMap(agent -> {
                    if (agent == null) {
                        throw ProblemException.notFound("no agent named " + agentName);
                    }
                    if (who.callerAgent() == null
                            && !who.admin()
                            && !who.username().equals(agent.owner)) {
                        throw ProblemException.forbidden(
                                "only agent " + agentName + " itself, its owner or an admin may ask");
                    }
                    if (!agent.enabled) {
                        throw ProblemException.conflict("agent " + agentName + " is disabled");
                    }
                    AccessRequest r = new AccessRequest();
                    r.id = UUID.randomUUID();
                    r.agentId = agent.id;
                    r.connection = req.connection();
                    r.access = req.access();
                    r.durationSeconds = d.toSeconds();
                    r.reason = req.reason();
                    r.requestedBy = who.name();
                    r.requiredApprovals = required;
                    r.status = AccessRequest.Status.PENDING;
                    r.createdAt = now;
                    r.expiresAt = now.plus(config.pendingTimeout());
                    return requests.persist(r)
                            .call(() -> audit.record(
                                    who.name(),
                                    "access-request.created",
                                    TARGET,
                                    r.id,
                                    Map.of(
                                            "agent",
                                            agentName,
                                            "scope",
                                            connection.scope(r.access),
                                            "duration",
                                            d.toString(),
                                            "required_approvals",
                                            required)))
                            .map(saved -> view(saved, agentName, List.of()));
                }))
                .call(v -> notifier.accessRequested(v.id(), v.agent(), v.scope(), v.duration(), v.reason()));
    }

    boolean needsTwoPersons(Connection c) {
        return twoPersonTags.entrySet().stream()
                .anyMatch(t -> t.getValue().equals(c.tags().get(t.getKey())));
    }

    public Uni<View> get(UUID id) {
        return Panache.withSession(() -> requests.findById(id).flatMap(r -> {
            if (r == null) {
                throw ProblemException.notFound("no access request " + id);
            }
            return load(r);
        }));
    }

    public Uni<List<View>> list(AccessRequest.Status status, String agentName, int limit) {
        return Panache.withSession(() -> (agentName == null
                        ? Uni.createFrom().<Agent>nullItem()
                        : agents.findByName(agentName))
                .flatMap(agent -> {
                    if (agentName != null && agent == null) {
                        return Uni.createFrom().item(List.<View>of());
                    }
                    return requests.search(status, agent == null ? null : agent.id, limit)
                            .flatMap(list -> list.isEmpty()
                                    ? Uni.createFrom().item(List.<View>of())
                                    : io.smallrye.mutiny.Multi.createFrom()
                                            .iterable(list)
                                            .onItem()
                                            .transformToUniAndConcatenate(this::load)
                                            .collect()
                                            .asList());
                }));
    }

    /** Approves or denies; returns the request as it stands afterwards (with its grant when approved). */
    public Uni<View> decide(UUID id, boolean approve, Approver who, String comment) {
        String approver = who.username();
        OffsetDateTime now = now();
        record Outcome(AccessRequest request, Agent agent, boolean grantNow) {}
        // the row is locked, so two approvers deciding at once count each other's approval
        return Panache.withTransaction(() -> requests.findById(id, LockModeType.PESSIMISTIC_WRITE)
                        .flatMap(r -> {
                            if (r == null) {
                                throw ProblemException.notFound("no access request " + id);
                            }
                            if (r.status != AccessRequest.Status.PENDING) {
                                throw ProblemException.conflict("access request " + id + " is already "
                                        + r.status.name().toLowerCase());
                            }
                            if (!r.expiresAt.isAfter(now)) {
                                throw ProblemException.conflict("access request " + id + " has expired");
                            }
                            // the connection's approver groups, as the file says now (a connection gone: nobody
                            // decides)
                            who.requireMayDecideFor(grants.requireConnection(r.connection, r.access));
                            return agents.findById(r.agentId).flatMap(agent -> {
                                if (approver.equals(r.requestedBy) || approver.equals(agent.owner)) {
                                    throw ProblemException.forbidden("no one approves their own request: " + approver
                                            + (approver.equals(r.requestedBy)
                                                    ? " made it"
                                                    : " owns agent " + agent.name));
                                }
                                return approvals.forRequest(r.id).flatMap(existing -> {
                                    long approvalsSoFar = who.approvalsWith(existing, approve, "access request " + id);
                                    Approval a = new Approval(r.id, approver, approve, comment, now);
                                    boolean grantNow = approve && approvalsSoFar >= r.requiredApprovals;
                                    if (!approve) {
                                        r.status = AccessRequest.Status.DENIED;
                                        r.decidedAt = now;
                                    } else if (grantNow) {
                                        r.status = AccessRequest.Status.APPROVED;
                                        r.decidedAt = now;
                                    }
                                    return approvals
                                            .persist(a)
                                            .call(() -> audit.record(
                                                    approver,
                                                    approve ? "access-request.approved" : "access-request.denied",
                                                    TARGET,
                                                    r.id,
                                                    comment == null
                                                            ? Map.of("approvals", approvalsSoFar)
                                                            : Map.of("approvals", approvalsSoFar, "comment", comment)))
                                            .replaceWith(new Outcome(r, agent, grantNow));
                                });
                            });
                        }))
                .flatMap(o -> {
                    if (!o.grantNow()) {
                        return get(id);
                    }
                    AccessRequest r = o.request();
                    // the grant runs for the asked duration from the moment it is approved
                    return grants.create(
                                    o.agent(),
                                    r.connection,
                                    r.access,
                                    Grant.Kind.JIT,
                                    r.id,
                                    now().plusSeconds(r.durationSeconds),
                                    approver)
                            .flatMap(g -> Panache.withTransaction(
                                    () -> requests.findById(id).invoke(row -> row.grantId = g.id)))
                            .onFailure()
                            .call(e -> Panache.withTransaction(() -> requests.findById(id)
                                    .invoke(row -> {
                                        row.status = AccessRequest.Status.PENDING;
                                        row.decidedAt = null;
                                    })
                                    .call(() -> approvals.delete("requestId = ?1 and approver = ?2", id, approver))))
                            .flatMap(x -> get(id));
                });
    }

    public Uni<Integer> expireDue() {
        OffsetDateTime now = now();
        return Panache.withTransaction(() -> requests.dueToExpire(now, 100).flatMap(due -> {
            due.forEach(r -> {
                r.status = AccessRequest.Status.EXPIRED;
                r.decidedAt = now;
            });
            return io.smallrye.mutiny.Multi.createFrom()
                    .iterable(due)
                    .onItem()
                    .transformToUniAndConcatenate(
                            r -> audit.record("system", "access-request.expired", TARGET, r.id, Map.of()))
                    .collect()
                    .asList()
                    .map(l -> due.size());
        }));
    }

    private Uni<View> load(AccessRequest r) {
        return agents.findById(r.agentId)
                .flatMap(agent ->
                        approvals.forRequest(r.id).map(list -> view(r, agent == null ? null : agent.name, list)));
    }

    private static View view(AccessRequest r, String agent, List<Approval> list) {
        return new View(
                r.id,
                agent,
                r.connection,
                r.access,
                Connection.scopeName(r.connection, r.access),
                Duration.ofSeconds(r.durationSeconds),
                r.reason,
                r.requestedBy,
                r.status.name().toLowerCase(),
                r.requiredApprovals,
                list.stream()
                        .map(a -> new ApprovalView(a.approver, a.decision.toLowerCase(), a.comment, a.decidedAt))
                        .toList(),
                r.createdAt,
                r.expiresAt,
                r.decidedAt,
                r.grantId);
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
