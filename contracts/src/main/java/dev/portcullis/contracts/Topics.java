package dev.portcullis.contracts;

import java.util.List;

/**
 * Kafka topics, declared once (docs/architecture.md "Events"). Messaging channels carry the same names. No
 * topic name is spelled anywhere else: services, {@code DevStack}, the manifests and their tests take them from
 * here (integration-tests' {@code RepositoryRulesTest} checks it).
 */
public final class Topics {

    /** session-proxy → recorder-service: {@code session.*}. */
    public static final String SESSION_EVENTS = "session-events";
    /** session-proxy → identity-broker: {@code review.requested}. */
    public static final String REVIEW_REQUESTS = "review-requests";
    /** identity-broker → session-proxy: {@code review.approved|denied|expired}. */
    public static final String REVIEW_DECISIONS = "review-decisions";
    /** identity-broker → session-proxy: {@code agent.disabled}, {@code grant.*}. */
    public static final String IDENTITY_EVENTS = "identity-events";
    /** policy-service → recorder-service (and a SIEM): {@code decision}. */
    public static final String DECISION_LOGS = "decision-logs";
    /** Session events the recorder could not use, with the reason in headers. */
    public static final String SESSION_EVENTS_DLQ = "session-events-dlq";
    /** Decision logs the recorder could not use. */
    public static final String DECISION_LOGS_DLQ = "decision-logs-dlq";

    /** The five topics of the contract. */
    public static final List<String> CONTRACT =
            List.of(SESSION_EVENTS, REVIEW_REQUESTS, REVIEW_DECISIONS, IDENTITY_EVENTS, DECISION_LOGS);

    /** Every topic a deployment must create: the contract's and the recorder's dead-letter topics. */
    public static final List<String> ALL = List.of(
            SESSION_EVENTS,
            REVIEW_REQUESTS,
            REVIEW_DECISIONS,
            IDENTITY_EVENTS,
            DECISION_LOGS,
            SESSION_EVENTS_DLQ,
            DECISION_LOGS_DLQ);

    private Topics() {}
}
