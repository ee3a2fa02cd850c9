package dev.portcullis.policy.decisionlog;

/**
 * A decision refused because its log cannot even be queued for Kafka (the pending bound is reached): a decision
 * without its log would be an audit gap (docs/architecture.md "Delivery, per producer"), so the caller gets a
 * 503 and the proxy fails closed.
 */
public final class DecisionLogUnavailableException extends RuntimeException {

    public DecisionLogUnavailableException(String message) {
        super(message);
    }
}
