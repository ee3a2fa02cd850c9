package dev.portcullis.recorder.repository;

import dev.portcullis.recorder.RecordedSession;
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
public class SessionRepository implements PanacheRepositoryBase<RecordedSession, String> {

    /** Search filters; null means any. {@code from}/{@code to} select sessions active in that window. */
    public record Filter(String agent, String connection, String protocol, String status, OffsetDateTime from,
            OffsetDateTime to) {
    }

    public record Result(List<RecordedSession> items, long total) {
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
        if (f.protocol() != null) {
            where.add("protocol = :protocol");
            p.and("protocol", f.protocol());
        }
        if (f.status() != null) {
            where.add("status = :status");
            p.and("status", f.status());
        }
        if (f.to() != null) {
            where.add("coalesce(startedAt, firstEventAt, firstSeenAt) <= :to");
            p.and("to", f.to());
        }
        if (f.from() != null) {
            // still open, or ended at/after the window start
            where.add("(endedAt is null or endedAt >= :from)");
            p.and("from", f.from());
        }
        String query = where.isEmpty() ? "" : String.join(" and ", where);
        var q = find(query, Sort.descending("startedAt").and("sessionId"), p);
        return q.page(Page.of(page, size)).list().chain(items -> q.count().map(total -> new Result(items, total)));
    }

    /** Final recordings whose session ended (or was last active) before {@code cutoff}, oldest first. */
    public Uni<List<RecordedSession>> finalizedBefore(OffsetDateTime cutoff, int limit) {
        return find("status <> 'recording' and coalesce(endedAt, startedAt, firstEventAt, firstSeenAt) < ?1",
                Sort.ascending("finalizedAt"), cutoff).page(Page.ofSize(limit)).list();
    }
}
