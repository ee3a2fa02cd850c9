package dev.portcullis.broker.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A just-in-time access request: access for a duration, with a reason, waiting for approvers. */
@Entity
@Table(name = "access_request")
public class AccessRequest {

    public enum Status {
        PENDING,
        APPROVED,
        DENIED,
        EXPIRED
    }

    @Id
    public UUID id;

    @Column(name = "agent_id")
    public UUID agentId;

    public String connection;
    public String access;

    @Column(name = "duration_seconds")
    public long durationSeconds;

    public String reason;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "required_approvals")
    public int requiredApprovals;

    @Enumerated(EnumType.STRING)
    public Status status;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    @Column(name = "grant_id")
    public UUID grantId;
}
