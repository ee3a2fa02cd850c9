package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.Review;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;

@ApplicationScoped
public class ReviewRepository implements PanacheRepositoryBase<Review, String> {

    public Uni<List<Review>> byStatus(Review.Status status, int limit) {
        return status == null
                ? find("order by requestedAt desc").page(0, limit).list()
                : find("status = ?1 order by requestedAt", status)
                        .page(0, limit)
                        .list();
    }

    public Uni<List<Review>> dueToExpire(OffsetDateTime now, int limit) {
        return find("status = ?1 and expiresAt <= ?2 order by expiresAt", Review.Status.PENDING, now)
                .page(0, limit)
                .list();
    }
}
