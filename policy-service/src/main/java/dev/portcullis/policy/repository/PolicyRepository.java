package dev.portcullis.policy.repository;

import dev.portcullis.policy.entity.Policy;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class PolicyRepository implements PanacheRepositoryBase<Policy, String> {

    /** Policy writers take this transaction-scoped lock so change sequences follow commit order. */
    private static final long WRITE_LOCK = 0x706f6c6963794cL;

    public Uni<List<Policy>> listById() {
        return listAll(Sort.by("id"));
    }

    public Uni<Void> lockForWrite() {
        return getSession()
                .chain(s -> s.createNativeQuery("select 1 from (select pg_advisory_xact_lock(" + WRITE_LOCK + ")) l")
                        .getSingleResult())
                .replaceWithVoid();
    }
}
