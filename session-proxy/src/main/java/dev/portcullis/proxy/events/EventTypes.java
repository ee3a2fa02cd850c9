package dev.portcullis.proxy.events;

/** CloudEvents {@code type} values session-proxy reads and writes. */
public final class EventTypes {

    public static final String SESSION_STARTED = "session.started";
    public static final String SESSION_REQUEST = "session.request";
    public static final String SESSION_DECISION = "session.decision";
    public static final String SESSION_OUTPUT = "session.output";
    public static final String SESSION_ENDED = "session.ended";
    public static final String REVIEW_REQUESTED = "review.requested";
    public static final String REVIEW_APPROVED = "review.approved";
    public static final String REVIEW_DENIED = "review.denied";
    public static final String REVIEW_EXPIRED = "review.expired";
    public static final String AGENT_DISABLED = "agent.disabled";
    public static final String GRANT_REVOKED = "grant.revoked";
    public static final String GRANT_EXPIRED = "grant.expired";

    private EventTypes() {}
}
