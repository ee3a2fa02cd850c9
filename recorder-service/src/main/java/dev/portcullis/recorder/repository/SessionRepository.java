package dev.portcullis.recorder.repository;

import dev.portcullis.recorder.entity.RecordedSession;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;

@ApplicationScoped
public class SessionRepository implements PanacheRepositoryBase<RecordedSession, String> {

    /**
     * Search filters; null means any. {@code from}/{@code to} select sessions active in that window; {@code denied}
     * and {@code reviewed}: true for sessions with at least one denial (review), false for those with none. The
     * counts are kept as events are staged, so a session still being recorded is found by what it has so far.
     */
    public record Filter(
            String agent,
            String connection,
            String protocol,
            String status,
            OffsetDateTime from,
            OffsetDateTime to,
            Boolean denied,
            Boolean reviewed) {}

    public record Result(List<RecordedSession> items, long total) {}

    public Uni<Result> search(Filter f, int page, int size) {
        Criteria c = new Criteria()
                .eq("agent", f.agent())
                .eq("connection", f.connection())
                .eq("protocol", f.protocol())
                .eq("status", f.status())
                .when(f.to(), "coalesce(startedAt, firstEventAt, firstSeenAt) <= :to", "to")
                // still open, or ended at/after the window start
                .when(f.from(), "(endedAt is null or endedAt >= :from)", "from")
                // the columns are NOT NULL DEFAULT 0 (V1): a row has a count, 0 until something is counted
                .either(f.denied(), "denialCount > 0", "denialCount = 0")
                .either(f.reviewed(), "reviewCount > 0", "reviewCount = 0");
        var q = find(c.query(), Sort.descending("startedAt").and("sessionId"), c.params());
        return q.page(Page.of(page, size)).list().chain(items -> q.count().map(total -> new Result(items, total)));
    }

    /** Final recordings whose session ended (or was last active) before {@code cutoff}, oldest first. */
    public Uni<List<RecordedSession>> finalizedBefore(OffsetDateTime cutoff, int limit) {
        return find(
                        "status <> 'recording' and coalesce(endedAt, startedAt, firstEventAt, firstSeenAt) < ?1",
                        Sort.ascending("finalizedAt"),
                        cutoff)
                .page(Page.ofSize(limit))
                .list();
    }
}
