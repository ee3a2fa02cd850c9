package dev.portcullis.policy.service;

import dev.portcullis.policy.engine.CompiledPolicy;
import dev.portcullis.policy.engine.PolicyCompileException;
import dev.portcullis.policy.engine.PolicyCompiler;
import dev.portcullis.policy.engine.PolicySet;
import dev.portcullis.policy.entity.Policy;
import dev.portcullis.policy.entity.PolicyChange;
import dev.portcullis.policy.entity.PolicyChange.Operation;
import dev.portcullis.policy.repository.PolicyChangeRepository;
import dev.portcullis.policy.repository.PolicyRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Stores policy documents and keeps the active set in step. A document is compiled before anything
 * is written; the row, its audit entry and the swap of the active set happen only if it compiles,
 * so nothing is ever half-applied.
 */
@ApplicationScoped
public class PolicyService {

    private static final Logger LOG = Logger.getLogger(PolicyService.class);
    /** {@code updated_by}/{@code changed_by} of what the service stored from shipped documents itself. */
    private static final String BOOTSTRAP_ACTOR = "bootstrap";

    @Inject
    PolicyRepository policies;

    @Inject
    PolicyChangeRepository changes;

    @Inject
    ActivePolicies active;

    /** The stored row and the change that wrote it. */
    record Written(Policy policy, PolicyChange change) {}

    /** Compiles, stores (audited) and activates {@code raw} as policy {@code id}; returns the new version. */
    public Uni<Long> put(String id, String raw, String actor) {
        CompiledPolicy compiled = PolicyCompiler.compile(id, raw, 0);
        List<String> clashes = active.current().ruleIdClashes(compiled);
        if (!clashes.isEmpty()) {
            throw new PolicyCompileException(
                    id,
                    clashes.stream()
                            .map(c -> new PolicyCompileException.Problem(
                                    c.substring(0, c.indexOf(' ')), "rule id is not unique: " + c, 0, 0))
                            .toList());
        }
        return write(id, raw, actor, Operation.PUT).map(w -> {
            CompiledPolicy versioned = compiled.withVersion(w.policy().version);
            active.update(set -> set.with(versioned, w.change().id));
            LOG.infof("policy %s version %d stored and activated by %s", id, w.policy().version, actor);
            return w.policy().version;
        });
    }

    @WithTransaction
    Uni<Written> write(String id, String raw, String actor, Operation operation) {
        return policies.lockForWrite().chain(() -> policies.findById(id)).chain(existing -> {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            PolicyChange change = new PolicyChange();
            change.policyId = id;
            change.operation = operation;
            change.changedBy = actor;
            change.changedAt = now;
            Policy p = existing;
            if (p == null) {
                p = new Policy();
                p.id = id;
                p.version = 1;
            } else {
                change.previousVersion = p.version;
                change.previousRaw = p.raw;
                p.version = p.version + 1;
            }
            p.raw = raw;
            p.updatedAt = now;
            p.updatedBy = actor;
            change.version = p.version;
            Policy row = p;
            Uni<Policy> saved =
                    existing == null ? policies.persist(row) : Uni.createFrom().item(row);
            return saved.chain(() -> changes.persistAndFlush(change)).map(c -> new Written(row, c));
        });
    }

    /** Deletes policy {@code id} (audited) and removes it from the active set. */
    public Uni<Void> delete(String id, String actor) {
        return remove(id, actor).map(change -> {
            active.update(set -> set.without(id, change.id));
            LOG.infof("policy %s deleted by %s", id, actor);
            return null;
        });
    }

    @WithTransaction
    Uni<PolicyChange> remove(String id, String actor) {
        return policies.lockForWrite().chain(() -> policies.findById(id)).chain(existing -> {
            if (existing == null) {
                return Uni.createFrom().failure(new PolicyNotFoundException(id));
            }
            PolicyChange change = new PolicyChange();
            change.policyId = id;
            change.operation = Operation.DELETE;
            change.previousVersion = existing.version;
            change.previousRaw = existing.raw;
            change.changedBy = actor;
            change.changedAt = OffsetDateTime.now(ZoneOffset.UTC);
            return policies.delete(existing).chain(() -> changes.persistAndFlush(change));
        });
    }

    @WithSession
    public Uni<Policy> get(String id) {
        return policies.findById(id).onItem().ifNull().failWith(() -> new PolicyNotFoundException(id));
    }

    @WithSession
    public Uni<List<Policy>> list() {
        return policies.listById();
    }

    @WithSession
    public Uni<List<PolicyChange>> history(String id) {
        return changes.history(id);
    }

    /**
     * Stores each source whose id the store has never held (a deleted default stays deleted), and
     * upgrades a stored document that still holds shipped text no admin has changed since
     * ({@code updated_by = bootstrap}) when the shipped text differs: a new release's default pack
     * reaches an existing store, an admin's edit or deletion is never overwritten. Then activates
     * everything stored. {@code compiledSources} are the sources, compiled by the caller off the
     * event loop (every source must compile); a stored row with the same text reuses its
     * compilation, so only documents an admin changed since are compiled here.
     */
    @WithTransaction
    public Uni<PolicySet> bootstrap(Map<String, String> sources, Map<String, CompiledPolicy> compiledSources) {
        Uni<Void> chain = policies.lockForWrite();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String id = e.getKey();
            String raw = e.getValue();
            chain = chain.chain(() -> policies.findById(id)).chain(existing -> {
                if (existing != null) {
                    return BOOTSTRAP_ACTOR.equals(existing.updatedBy) && !raw.equals(existing.raw)
                            ? upgrade(existing, raw)
                            : Uni.createFrom().voidItem();
                }
                return changes.everStored(id)
                        .chain(seen -> seen ? Uni.createFrom().voidItem() : store(id, raw));
            });
        }
        return chain.chain(() -> policies.flush())
                .chain(() -> policies.listById())
                .map(rows -> {
                    List<CompiledPolicy> compiled = new ArrayList<>();
                    for (Policy p : rows) {
                        CompiledPolicy ready = compiledSources.get(p.id);
                        compiled.add(
                                ready != null && ready.raw().equals(p.raw)
                                        ? ready.withVersion(p.version)
                                        : PolicyCompiler.compile(p.id, p.raw, p.version));
                    }
                    PolicySet set = PolicySet.of(compiled);
                    active.replace(set);
                    LOG.infof("%d policies active (revision %s)", compiled.size(), set.revision());
                    return set;
                });
    }

    private Uni<Void> store(String id, String raw) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Policy p = new Policy();
        p.id = id;
        p.version = 1;
        p.raw = raw;
        p.updatedAt = now;
        p.updatedBy = BOOTSTRAP_ACTOR;
        LOG.infof("bootstrapping policy %s", id);
        return policies.persist(p)
                .chain(() -> changes.persist(bootstrapChange(p, Operation.BOOTSTRAP, now)))
                .replaceWithVoid();
    }

    private Uni<Void> upgrade(Policy p, String raw) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        PolicyChange c = bootstrapChange(p, Operation.UPGRADE, now);
        c.previousVersion = p.version;
        c.previousRaw = p.raw;
        p.version = p.version + 1;
        c.version = p.version;
        p.raw = raw;
        p.updatedAt = now;
        LOG.infof("upgrading shipped policy %s to version %d (no admin had changed it)", p.id, p.version);
        return changes.persist(c).replaceWithVoid();
    }

    private static PolicyChange bootstrapChange(Policy p, Operation operation, OffsetDateTime now) {
        PolicyChange c = new PolicyChange();
        c.policyId = p.id;
        c.operation = operation;
        c.version = p.version;
        c.changedBy = BOOTSTRAP_ACTOR;
        c.changedAt = now;
        return c;
    }
}
