package dev.portcullis.contracts.events;

/** CloudEvents {@code source} of each producer, as each has always written it. */
public final class EventSources {

    /** session-events and review-requests. */
    public static final String SESSION_PROXY = "/portcullis/session-proxy";
    /** review-decisions and identity-events. */
    public static final String IDENTITY_BROKER = "/portcullis/identity-broker";
    /** decision-logs ({@code ce_source}); not a path like the others, as OPA-style consumers have always seen it. */
    public static final String POLICY_SERVICE = "policy-service";

    private EventSources() {}
}
