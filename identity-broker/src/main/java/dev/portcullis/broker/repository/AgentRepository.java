package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.Agent;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class AgentRepository implements PanacheRepositoryBase<Agent, UUID> {

    public Uni<Agent> findByName(String name) {
        return find("name", name).firstResult();
    }

    public Uni<List<Agent>> listFiltered(String team) {
        return team == null ? list("order by name") : list("team = ?1 order by name", team);
    }
}
