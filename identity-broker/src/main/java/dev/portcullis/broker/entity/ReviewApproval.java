package dev.portcullis.broker.entity;

import dev.portcullis.broker.approval.ApproverDecision;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/** One approver's decision on a command review (a review may need two). */
@Entity
@Table(name = "review_approval")
@IdClass(ReviewApproval.Key.class)
public class ReviewApproval implements ApproverDecision {

    @Id
    @Column(name = "review_id")
    public String reviewId;

    @Id
    public String approver;
    /** {@link ApproverDecision#APPROVE} or {@link ApproverDecision#DENY}. */
    public String decision;

    public String comment;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    /** For JPA. */
    public ReviewApproval() {}

    public ReviewApproval(String reviewId, String approver, boolean approve, String comment, OffsetDateTime decidedAt) {
        this.reviewId = reviewId;
        this.approver = approver;
        this.decision = ApproverDecision.of(approve);
        this.comment = comment;
        this.decidedAt = decidedAt;
    }

    @Override
    public String approver() {
        return approver;
    }

    @Override
    public String decision() {
        return decision;
    }

    public static class Key implements Serializable {
        public String reviewId;
        public String approver;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(reviewId, k.reviewId) && Objects.equals(approver, k.approver);
        }

        @Override
        public int hashCode() {
            return Objects.hash(reviewId, approver);
        }
    }
}
