package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.AccessRequest;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class AccessRequestRepository implements PanacheRepositoryBase<AccessRequest, UUID> {

    public Uni<List<AccessRequest>> search(AccessRequest.Status status, UUID agentId, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        if (status != null) {
            q.append(" and status = :s");
            p.put("s", status);
        }
        if (agentId != null) {
            q.append(" and agentId = :a");
            p.put("a", agentId);
        }
        return find(q + " order by createdAt desc", p).page(0, limit).list();
    }

    public Uni<List<AccessRequest>> dueToExpire(OffsetDateTime now, int limit) {
        return find("status = ?1 and expiresAt <= ?2", AccessRequest.Status.PENDING, now)
                .page(0, limit)
                .list();
    }
}
