package dev.portcullis.broker.repository;

import dev.portcullis.broker.entity.ReviewApproval;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class ReviewApprovalRepository implements PanacheRepositoryBase<ReviewApproval, ReviewApproval.Key> {

    public Uni<List<ReviewApproval>> forReview(String reviewId) {
        return list("reviewId = ?1 order by decidedAt", reviewId);
    }

    public Uni<List<ReviewApproval>> forReviews(Collection<String> reviewIds) {
        return reviewIds.isEmpty()
                ? Uni.createFrom().item(List.of())
                : list("reviewId in ?1 order by decidedAt", reviewIds);
    }
}
