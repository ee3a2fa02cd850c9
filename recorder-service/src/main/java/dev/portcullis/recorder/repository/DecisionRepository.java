package dev.portcullis.recorder.repository;

import dev.portcullis.recorder.entity.DecisionLogEntry;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;

@ApplicationScoped
public class DecisionRepository implements PanacheRepositoryBase<DecisionLogEntry, String> {

    public record Filter(
            String agent, String connection, String sessionId, String action, OffsetDateTime from, OffsetDateTime to) {}

    public record Result(List<DecisionLogEntry> items, long total) {}

    public Uni<Result> search(Filter f, int page, int size) {
        Criteria c = new Criteria()
                .eq("agent", f.agent())
                .eq("connection", f.connection())
                .when(f.sessionId(), "sessionId = :session", "session")
                .eq("action", f.action())
                .when(f.from(), "decidedAt >= :from", "from")
                .when(f.to(), "decidedAt <= :to", "to");
        var q = find(c.query(), Sort.descending("decidedAt").and("decisionId"), c.params());
        return q.page(Page.of(page, size)).list().chain(items -> q.count().map(total -> new Result(items, total)));
    }
}
