package dev.portcullis.policy.repository;

import dev.portcullis.policy.entity.PolicyChange;
import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class PolicyChangeRepository implements PanacheRepository<PolicyChange> {

    public Uni<List<PolicyChange>> history(String policyId) {
        return list("policyId", Sort.by("id"), policyId);
    }

    /** Whether the store has ever held {@code policyId} (a deleted default is not bootstrapped again). */
    public Uni<Boolean> everStored(String policyId) {
        return count("policyId", policyId).map(n -> n > 0);
    }
}
