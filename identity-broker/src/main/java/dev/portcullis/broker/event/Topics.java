package dev.portcullis.broker.event;

/** Kafka topics (docs/architecture.md "Events"). The channel names equal the topic names. */
public final class Topics {

    /** identity-broker → session-proxy: {@code agent.disabled}, {@code grant.*}. */
    public static final String IDENTITY_EVENTS = "identity-events";
    /** session-proxy → identity-broker: {@code review.requested}. */
    public static final String REVIEW_REQUESTS = "review-requests";
    /** identity-broker → session-proxy: {@code review.approved|denied|expired}. */
    public static final String REVIEW_DECISIONS = "review-decisions";

    private Topics() {}
}
