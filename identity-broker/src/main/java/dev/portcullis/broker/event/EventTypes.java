package dev.portcullis.broker.event;

/** CloudEvents {@code type} values the broker reads and writes (docs/architecture.md "Events"). */
public final class EventTypes {

    public static final String AGENT_DISABLED = "agent.disabled";
    public static final String GRANT_CREATED = "grant.created";
    public static final String GRANT_REVOKED = "grant.revoked";
    public static final String GRANT_EXPIRED = "grant.expired";
    public static final String REVIEW_REQUESTED = "review.requested";
    public static final String REVIEW_APPROVED = "review.approved";
    public static final String REVIEW_DENIED = "review.denied";
    public static final String REVIEW_EXPIRED = "review.expired";

    private EventTypes() {}
}
