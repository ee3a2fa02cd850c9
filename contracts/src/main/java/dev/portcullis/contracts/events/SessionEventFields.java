package dev.portcullis.contracts.events;

/**
 * Field names inside the {@code data} of session events that more than one place relies on. The rest of a session
 * event's data is the protocol's own (a statement's text, an HTTP status, a terminal chunk) and is recorded as it
 * is, so it has no record here: only what ties events together or what the recorder indexes.
 */
public final class SessionEventFields {

    /** On {@code session.output} and {@code session.decision}: the seq of the {@code session.request} it answers. */
    public static final String REQUEST_SEQ = "request_seq";
    /** On an SSH command typed into a shell: the seq of the shell's own {@code session.request}. */
    public static final String SHELL_REQUEST_SEQ = "shell_request_seq";
    /** On an SFTP operation: the seq of the SFTP subsystem's own {@code session.request}. */
    public static final String SFTP_REQUEST_SEQ = "sftp_request_seq";

    /** {@code session.decision}: allow, deny or review (the policy's), or allow/deny once a review is over. */
    public static final String ACTION = "action";
    /** {@code session.decision} of a held request: the review it waits for. */
    public static final String REVIEW_ID = "review_id";
    /** {@code session.decision} of a held request: waiting, then approved, denied or expired. */
    public static final String STATE = "state";

    /**
     * v2 {@code session.request} ({@link CloudEvent#DATASCHEMA_SESSION_V2}): the decision taken on the request before
     * it was forwarded, an object with the fields of a {@code session.decision} but {@code request_seq} (it is this
     * event's own seq): {@link #ACTION}, {@code reasons}, {@code rules}, {@code decision_id}, {@code cached}, and for
     * a held request {@link #REVIEW_ID} and {@link #STATE} {@code waiting}. The review's later states still come as
     * {@code session.decision} events.
     */
    public static final String DECISION = "decision";

    private SessionEventFields() {}
}
