package dev.portcullis.broker.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A statement or command session-proxy holds until a human decides. */
@Entity
@Table(name = "review")
public class Review {

    public enum Status {
        PENDING,
        APPROVED,
        DENIED,
        EXPIRED
    }

    @Id
    public String id;

    @Column(name = "session_id")
    public String sessionId;

    public String agent;
    public String connection;
    /** The held request as JSON, as session-proxy sent it (already masked). */
    public String request;
    /** Policy reasons as a JSON array. */
    public String reasons;
    /** The policy's rule ids as a JSON array; null when the request carried none. */
    public String rules;
    /**
     * The session so far as a JSON array of {@code {seq, request, action}}, oldest first, as session-proxy recorded
     * it (masked); null when the request carried none.
     */
    public String history;

    @Enumerated(EnumType.STRING)
    public Status status;

    /** Distinct approvals it needs: 2 for a connection with a two-person tag (env=prod), else 1. */
    @Column(name = "required_approvals")
    public int requiredApprovals;

    @Column(name = "requested_at")
    public OffsetDateTime requestedAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    /** Who completed the decision (the last approver, or the one who denied); every decision is a ReviewApproval. */
    @Column(name = "decided_by")
    public String decidedBy;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    public String comment;
}
