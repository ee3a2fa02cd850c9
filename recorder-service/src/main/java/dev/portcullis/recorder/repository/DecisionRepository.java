package dev.portcullis.recorder.repository;

import dev.portcullis.recorder.DecisionLogEntry;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

@ApplicationScoped
public class DecisionRepository implements PanacheRepositoryBase<DecisionLogEntry, String> {

    public record Filter(String agent, String connection, String sessionId, String action, OffsetDateTime from,
            OffsetDateTime to) {
    }

    public record Result(List<DecisionLogEntry> items, long total) {
    }

    public Uni<Result> search(Filter f, int page, int size) {
        List<String> where = new ArrayList<>();
        Parameters p = new Parameters();
        if (f.agent() != null) {
            where.add("agent = :agent");
            p.and("agent", f.agent());
        }
        if (f.connection() != null) {
            where.add("connection = :connection");
            p.and("connection", f.connection());
        }
        if (f.sessionId() != null) {
            where.add("sessionId = :session");
            p.and("session", f.sessionId());
        }
        if (f.action() != null) {
            where.add("action = :action");
            p.and("action", f.action());
        }
        if (f.from() != null) {
            where.add("decidedAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            where.add("decidedAt <= :to");
            p.and("to", f.to());
        }
        var q = find(String.join(" and ", where), Sort.descending("decidedAt").and("decisionId"), p);
        return q.page(Page.of(page, size)).list().chain(items -> q.count().map(total -> new Result(items, total)));
    }
}
