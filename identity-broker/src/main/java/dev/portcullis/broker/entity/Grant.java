package dev.portcullis.broker.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** An entitlement: agent x connection x access level, standing or from an approved request. */
@Entity
@Table(name = "access_grant")
public class Grant {

    public enum Kind {
        STANDING,
        JIT
    }

    public enum Status {
        ACTIVE,
        REVOKED,
        EXPIRED
    }

    @Id
    public UUID id;

    @Column(name = "agent_id")
    public UUID agentId;

    public String connection;
    public String access;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Kind kind;

    @Column(name = "request_id")
    public UUID requestId;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status;

    @Column(name = "starts_at")
    public OffsetDateTime startsAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public OffsetDateTime createdAt;

    @Column(name = "ended_at")
    public OffsetDateTime endedAt;

    @Column(name = "ended_by")
    public String endedBy;

    public String scope() {
        return dev.portcullis.broker.connection.Connection.scopeName(connection, access);
    }

    public boolean activeAt(OffsetDateTime t) {
        return status == Status.ACTIVE && !startsAt.isAfter(t) && (expiresAt == null || expiresAt.isAfter(t));
    }
}
