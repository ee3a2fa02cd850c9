package dev.portcullis.proxy.events;

/** Kafka topics session-proxy reads and writes (docs/architecture.md "Events"), declared once. */
public final class Topics {

    public static final String SESSION_EVENTS = "session-events";
    public static final String REVIEW_REQUESTS = "review-requests";
    public static final String REVIEW_DECISIONS = "review-decisions";
    public static final String IDENTITY_EVENTS = "identity-events";

    private Topics() {}
}
