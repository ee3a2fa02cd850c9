package dev.portcullis.contracts.events;

import dev.portcullis.contracts.Topics;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CloudEvents {@code type} values, declared once and grouped by the topic that carries them (docs/architecture.md
 * "Events"). Constants, so a reader can {@code switch} on them; no service spells a type itself.
 */
public final class EventTypes {

    // ---- session-events: session-proxy → recorder-service (every one carries session_id, seq, agent, connection)
    public static final String SESSION_STARTED = "session.started";
    public static final String SESSION_REQUEST = "session.request";
    public static final String SESSION_OUTPUT = "session.output";
    public static final String SESSION_DECISION = "session.decision";
    /** The last event of a session: nothing is recorded behind it. */
    public static final String SESSION_ENDED = "session.ended";

    // ---- review-requests: session-proxy → identity-broker
    public static final String REVIEW_REQUESTED = "review.requested";

    // ---- review-decisions: identity-broker → session-proxy
    public static final String REVIEW_APPROVED = "review.approved";
    public static final String REVIEW_DENIED = "review.denied";
    public static final String REVIEW_EXPIRED = "review.expired";

    // ---- identity-events: identity-broker → session-proxy (the kill switch)
    public static final String AGENT_DISABLED = "agent.disabled";
    public static final String GRANT_CREATED = "grant.created";
    public static final String GRANT_REVOKED = "grant.revoked";
    public static final String GRANT_EXPIRED = "grant.expired";

    // ---- decision-logs: policy-service → recorder-service (CloudEvents binary mode: the type is a ce_type header)
    public static final String DECISION = "decision";

    /** The types on {@link Topics#SESSION_EVENTS}. */
    public static final List<String> SESSION_EVENTS =
            List.of(SESSION_STARTED, SESSION_REQUEST, SESSION_OUTPUT, SESSION_DECISION, SESSION_ENDED);
    /** The types on {@link Topics#REVIEW_REQUESTS}. */
    public static final List<String> REVIEW_REQUESTS = List.of(REVIEW_REQUESTED);
    /** The types on {@link Topics#REVIEW_DECISIONS}. */
    public static final List<String> REVIEW_DECISIONS = List.of(REVIEW_APPROVED, REVIEW_DENIED, REVIEW_EXPIRED);
    /** The types on {@link Topics#IDENTITY_EVENTS}. */
    public static final List<String> IDENTITY_EVENTS =
            List.of(AGENT_DISABLED, GRANT_CREATED, GRANT_REVOKED, GRANT_EXPIRED);
    /** The types on {@link Topics#DECISION_LOGS}. */
    public static final List<String> DECISION_LOGS = List.of(DECISION);

    /** Topic → the types it carries, for the five topics of the contract in {@link Topics#CONTRACT}'s order. */
    public static final Map<String, List<String>> BY_TOPIC = byTopic();

    /** Every type of the contract. */
    public static final List<String> ALL =
            BY_TOPIC.values().stream().flatMap(List::stream).toList();

    private EventTypes() {}

    /** The topic that carries {@code type}; empty for a type that is not in the contract. */
    public static Optional<String> topicOf(String type) {
        if (type == null) {
            return Optional.empty();
        }
        return BY_TOPIC.entrySet().stream()
                .filter(e -> e.getValue().contains(type))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** True for the types of {@link Topics#SESSION_EVENTS}, which carry the session attributes. */
    public static boolean isSessionEvent(String type) {
        return type != null && SESSION_EVENTS.contains(type);
    }

    private static Map<String, List<String>> byTopic() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(Topics.SESSION_EVENTS, SESSION_EVENTS);
        m.put(Topics.REVIEW_REQUESTS, REVIEW_REQUESTS);
        m.put(Topics.REVIEW_DECISIONS, REVIEW_DECISIONS);
        m.put(Topics.IDENTITY_EVENTS, IDENTITY_EVENTS);
        m.put(Topics.DECISION_LOGS, DECISION_LOGS);
        return Collections.unmodifiableMap(m);
    }
}
