package dev.portcullis.proxy.events;

/**
 * Told once whether an event is recorded: {@code true} when Kafka acknowledged it ({@code acks=all}) or it is in
 * the spool, {@code false} when the proxy gave it up (docs/architecture.md "Delivery"). Called on the publisher's
 * thread: implementations hand real work to their own thread.
 */
@FunctionalInterface
public interface Recorded {

    void recorded(boolean ok);

    Recorded IGNORED = ok -> {};
}
