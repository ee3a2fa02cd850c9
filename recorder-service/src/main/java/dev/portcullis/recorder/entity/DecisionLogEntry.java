package dev.portcullis.recorder.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One policy decision from {@code decision-logs}, indexed by who, where and what was decided. */
@Entity
@Table(name = "decision_log")
public class DecisionLogEntry {

    @Id
    @Column(name = "decision_id")
    public String decisionId;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    public String agent;
    public String connection;

    @Column(name = "session_id")
    public String sessionId;

    public String protocol;
    public String action;
    /** Comma-separated rule ids. */
    public String rules;

    @Column(name = "policy_version")
    public String policyVersion;
    /** The log as received (already masked by policy-service). */
    public String payload;

    @Column(name = "received_at")
    public OffsetDateTime receivedAt;

    @Override
    public String toString() {
        return "DecisionLogEntry[" + decisionId + " " + action + "]";
    }
}
