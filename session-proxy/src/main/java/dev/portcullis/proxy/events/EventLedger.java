package dev.portcullis.proxy.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger of {@link EventDelivery}: every event handed to the producer and not yet acknowledged, in send order,
 * and the bytes they hold against the budget ({@code portcullis.events.buffer-bytes}). The send callbacks release an
 * event; the age of the oldest unreleased one tells a stalled Kafka, which {@code send()} does not. Publisher thread
 * only.
 */
final class EventLedger {

    private final ArrayDeque<EventDelivery.Event> entries = new ArrayDeque<>();
    private long bytes;
    private int replaying;

    void add(EventDelivery.Event e) {
        entries.addLast(e);
        bytes += e.bytes;
        if (e.cursor != null) {
            replaying++;
        }
    }

    /** Takes back the event just added: the producer did not take it. */
    void undoAdd(EventDelivery.Event e) {
        entries.removeLast();
        bytes -= e.bytes;
        if (e.cursor != null) {
            replaying--;
        }
    }

    /** Acknowledged (or given up): its bytes go back to the budget; false when it was released already. */
    boolean release(EventDelivery.Event e) {
        if (e.done) {
            return false;
        }
        e.done = true;
        bytes -= e.bytes;
        if (e.cursor != null) {
            replaying--;
        }
        return true;
    }

    /** The oldest event not yet released, or null. */
    EventDelivery.Event oldest() {
        while (!entries.isEmpty() && entries.peekFirst().done) {
            entries.removeFirst();
        }
        return entries.peekFirst();
    }

    /**
     * A stall: empties the ledger and returns its unreleased events of its own, in send order. Replayed lines are
     * released and not returned: they are still in their spool segment.
     */
    List<EventDelivery.Event> takeBack() {
        List<EventDelivery.Event> moved = new ArrayList<>();
        for (EventDelivery.Event e : entries) {
            if (e.done) {
                continue;
            }
            e.done = true;
            if (e.cursor == null) {
                moved.add(e);
            }
        }
        entries.clear();
        bytes = 0;
        replaying = 0;
        return moved;
    }

    long bytes() {
        return bytes;
    }

    /** Replayed lines in flight. */
    int replaying() {
        return replaying;
    }

    boolean isEmpty() {
        return oldest() == null;
    }

    int size() {
        return entries.size();
    }
}
