package dev.portcullis.recorder.events;

/** Why an input record was not used; {@code reason} is a short label (metrics tag, DLQ header). */
public record Rejection(String reason, String detail) {

    public static final String TOO_LARGE = "too-large";
    public static final String MALFORMED = "malformed";
    public static final String MISSING_FIELD = "missing-field";
    public static final String INVALID_FIELD = "invalid-field";
    public static final String UNKNOWN_TYPE = "unknown-type";
    /** An event that arrives for a session whose recording is already closed and does not hold it. */
    public static final String SESSION_CLOSED = "session-closed";
    /**
     * A session event without a valid source tag (docs/architecture.md "Events", {@code authtag}): not the proxy's,
     * e.g. produced straight to Kafka. Never staged, so it cannot take the (session, seq) of a genuine one.
     */
    public static final String UNAUTHENTICATED = "unauthenticated";
}
