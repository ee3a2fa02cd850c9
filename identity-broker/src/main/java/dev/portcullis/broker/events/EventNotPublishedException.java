package dev.portcullis.broker.events;

/**
 * Kafka did not acknowledge one of the broker's events within {@link EventPublisher#PUBLISH_TIMEOUT}, or refused it:
 * the change it announces (a kill switch, a grant, a review decision) has not reached the proxies, and the caller
 * hears so (503) rather than a success nobody can act on.
 */
public final class EventNotPublishedException extends RuntimeException {

    public EventNotPublishedException(String message, Throwable cause) {
        super(message, cause);
    }
}
