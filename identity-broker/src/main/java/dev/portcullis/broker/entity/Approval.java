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
import java.util.UUID;

/** One approver's decision on an access request. */
@Entity
@Table(name = "access_request_approval")
@IdClass(Approval.Key.class)
public class Approval implements ApproverDecision {

    @Id
    @Column(name = "request_id")
    public UUID requestId;

    @Id
    public String approver;
    /** {@link ApproverDecision#APPROVE} or {@link ApproverDecision#DENY}. */
    public String decision;

    public String comment;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    /** For JPA. */
    public Approval() {}

    public Approval(UUID requestId, String approver, boolean approve, String comment, OffsetDateTime decidedAt) {
        this.requestId = requestId;
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
        public UUID requestId;
        public String approver;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(requestId, k.requestId) && Objects.equals(approver, k.approver);
        }

        @Override
        public int hashCode() {
            return Objects.hash(requestId, approver);
        }
    }
}
