package dev.portcullis.policy.decisionlog;

/** The one declaration of the decision-log topic (docs/architecture.md, "Events"); the channel has the same name. */
public final class DecisionLogs {

    public static final String TOPIC = "decision-logs";
    /** CloudEvents type of every record (set in application.properties as cloud-events-type). */
    public static final String EVENT_TYPE = "decision";

    private DecisionLogs() {}
}
