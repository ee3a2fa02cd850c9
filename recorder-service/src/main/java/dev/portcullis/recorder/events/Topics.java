package dev.portcullis.recorder.events;

/**
 * Kafka topics (docs/architecture.md "Events"). The messaging channels carry the same names, so these are the
 * only place they are spelled.
 */
public final class Topics {

    /** session-proxy → recorder: session.started/request/output/decision/ended. */
    public static final String SESSION_EVENTS = "session-events";
    /** policy-service → recorder: decision logs. */
    public static final String DECISION_LOGS = "decision-logs";
    /** Session events the recorder could not use, with the reason in headers. */
    public static final String SESSION_EVENTS_DLQ = "session-events-dlq";
    /** Decision logs the recorder could not use. */
    public static final String DECISION_LOGS_DLQ = "decision-logs-dlq";

    /** Header names on dead-lettered records. */
    public static final String HEADER_REASON = "portcullis-dlq-reason";

    public static final String HEADER_DETAIL = "portcullis-dlq-detail";
    public static final String HEADER_SOURCE = "portcullis-dlq-source";

    private Topics() {}
}
