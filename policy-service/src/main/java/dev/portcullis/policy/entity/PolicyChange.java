package dev.portcullis.policy.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * The audit trail of policy documents: who changed which policy when, and what it was before.
 * Its id is the change sequence the in-memory set orders changes by.
 */
@Entity
@Table(name = "policy_change")
public class PolicyChange {

    public enum Operation {
        BOOTSTRAP,
        PUT,
        DELETE,
        /** A shipped document replaced its older shipped text, which no admin had changed. */
        UPGRADE
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "policy_id")
    public String policyId;

    @Enumerated(EnumType.STRING)
    public Operation operation;

    /** The version after the change; null for a delete. */
    public Long version;

    @Column(name = "previous_version")
    public Long previousVersion;

    @Column(name = "previous_raw", columnDefinition = "text")
    public String previousRaw;

    @Column(name = "changed_by")
    public String changedBy;

    @Column(name = "changed_at")
    public OffsetDateTime changedAt;

    @Override
    public String toString() {
        return "PolicyChange[" + id + " " + operation + " " + policyId + " by " + changedBy + "]";
    }
}
