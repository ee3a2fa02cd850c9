package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.AuditEntry;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class AuditRepository implements PanacheRepositoryBase<AuditEntry, Long> {

    public Uni<List<AuditEntry>> search(String targetType, String targetId, String actor, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        if (targetType != null) {
            q.append(" and targetType = :tt");
            params.put("tt", targetType);
        }
        if (targetId != null) {
            q.append(" and targetId = :ti");
            params.put("ti", targetId);
        }
        if (actor != null) {
            q.append(" and actor = :a");
            params.put("a", actor);
        }
        q.append(" order by id desc");
        return find(q.toString(), params).page(0, limit).list();
    }
}
