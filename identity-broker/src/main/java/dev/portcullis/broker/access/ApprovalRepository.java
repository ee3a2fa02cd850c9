package dev.portcullis.broker.access;

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
