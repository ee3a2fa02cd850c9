package dev.portcullis.proxy.events;

/**
 * What {@link EventDelivery} counts, for metrics and tests: written by the publisher thread only, read from any.
 * Counters only grow; the gauges are a snapshot taken at the end of each step.
 */
final class DeliveryStats {

    volatile long published;
    volatile long spooled;
    volatile long replayed;
    volatile long lost;
    volatile long stalls;
    private volatile long heldBytes;
    private volatile long unacknowledgedBytes;
    private volatile long spoolBytes;
    private volatile boolean spoolFull;
    private volatile boolean stalled;

    void snapshot(long held, long unacknowledged, long spool, boolean full, boolean isStalled) {
        heldBytes = held;
        unacknowledgedBytes = unacknowledged;
        spoolBytes = spool;
        spoolFull = full;
        stalled = isStalled;
    }

    /** Events Kafka acknowledged (replayed ones included). */
    long published() {
        return published;
    }

    /** Events written to the spool. */
    long spooled() {
        return spooled;
    }

    /** Spooled events Kafka acknowledged. */
    long replayed() {
        return replayed;
    }

    /** Events given up: never recorded, their requests refused. */
    long lost() {
        return lost;
    }

    /** Times Kafka stopped acknowledging. */
    long stalls() {
        return stalls;
    }

    long heldBytes() {
        return heldBytes;
    }

    long unacknowledgedBytes() {
        return unacknowledgedBytes;
    }

    long spoolBytes() {
        return spoolBytes;
    }

    boolean spoolFull() {
        return spoolFull;
    }

    boolean stalled() {
        return stalled;
    }
}
