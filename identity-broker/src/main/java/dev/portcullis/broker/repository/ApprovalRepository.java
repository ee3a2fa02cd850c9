package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.Approval;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ApprovalRepository implements PanacheRepositoryBase<Approval, Approval.Key> {

    public Uni<List<Approval>> forRequest(UUID requestId) {
        return list("requestId = ?1 order by decidedAt", requestId);
    }
}
