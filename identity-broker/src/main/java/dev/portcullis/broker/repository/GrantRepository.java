package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.Grant;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class GrantRepository implements PanacheRepositoryBase<Grant, UUID> {

    /** Active grants of an agent on a connection and access level, at {@code now}. */
    public Uni<List<Grant>> active(UUID agentId, String connection, String access, OffsetDateTime now) {
        return list(
                "agentId = ?1 and connection = ?2 and access = ?3 and status = ?4 and startsAt <= ?5"
                        + " and (expiresAt is null or expiresAt > ?5)",
                agentId,
                connection,
                access,
                Grant.Status.ACTIVE,
                now);
    }

    public Uni<List<Grant>> forAgent(UUID agentId, boolean activeOnly) {
        return activeOnly
                ? list("agentId = ?1 and status = ?2 order by createdAt", agentId, Grant.Status.ACTIVE)
                : list("agentId = ?1 order by createdAt", agentId);
    }

    public Uni<List<Grant>> dueToExpire(OffsetDateTime now, int limit) {
        return find("status = ?1 and expiresAt <= ?2 order by expiresAt", Grant.Status.ACTIVE, now)
                .page(0, limit)
                .list();
    }
}
