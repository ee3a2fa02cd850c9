package dev.portcullis.proxy.events;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.jboss.logging.Logger;

/**
 * How events reach Kafka or the spool (docs/architecture.md "Delivery", ADR 0023), driven by one thread through
 * {@link #step}; callers and the producer's callbacks only queue work for it.
 *
 * <ul>
 *   <li>The <em>ledger</em>: every event handed to the producer and not yet acknowledged, in send order, with a
 *       byte budget ({@code bufferBytes}) released by the send callbacks. Kafka that stops answering keeps its TCP
 *       connection and the producer's {@code send()} succeeds until its own buffer is full, so the proxy cannot
 *       learn of a stall from {@code send()}: it learns of it from the age of the oldest unacknowledged event.
 *   <li>A <em>stall</em> ({@code stallTimeout} passed, a send failed, or a callback failed) moves every
 *       unacknowledged event to the spool in send order, and every later event goes there too: a whole session
 *       moves, so its order holds. The producer may still deliver what it had; the recorder's
 *       ({@code session_id}, {@code seq}) dedupe absorbs those duplicates.
 *   <li>The <em>replay</em> reads the oldest spool segment front to back and sends its lines with as many in
 *       flight as the budget allows, deleting the segment once all of it is acknowledged. While stalled it
 *       sends one line every {@code retryInterval} as a probe; the first acknowledgement ends the stall. A session
 *       with events in the spool keeps spooling until the replay has delivered them; a session with none goes
 *       straight to Kafka, so new sessions do not wait behind a drain.
 *   <li><em>Held</em>: events that can go nowhere yet (budget used up, or the spool full) wait in memory, in order,
 *       up to {@code memoryMaxBytes}; with {@code refuse}, an event that finds the spool full is given up at once
 *       (its {@link Recorded} says false, so the protocol refuses the request it belongs to).
 *   <li>The <em>journal</em> ({@link EventJournal}, when write-ahead has one): an event sent to Kafka is also
 *       appended there and counts as recorded once that append is flushed, without waiting for Kafka's round trip;
 *       Kafka's acknowledgement, or the event's move to the spool, releases its line.
 * </ul>
 */
final class EventDelivery {

    private static final Logger LOG = Logger.getLogger(EventDelivery.class);
    private static final int DRAIN = 10_000;
    /** How long the publisher waits for work while events are in flight or held (else up to its caller's wait). */
    static final long BUSY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    record Settings(
            long bufferBytes, long memoryMaxBytes, Duration stallTimeout, Duration retryInterval, boolean refuse) {}

    /** One event on its way (or a spool line being replayed: {@code cursor} set, {@code listener} null). */
    static final class Event {
        final String topic;
        final String key;
        final Encoder value;
        final String traceparent;
        final Recorded listener;
        String encoded;
        int bytes;
        long sentAt;
        /** Which send an acknowledgement answers: a moved event's late acknowledgement is ignored. */
        int attempt;
        /** Its line in the journal until Kafka or the spool has it; null when not journaled. */
        EventJournal.Segment journaled;
        /** Its listener has heard (it is told once, by whichever thread records it first: {@link #tell}). */
        volatile boolean told;
        /**
         * Nobody waits for it to be recorded (a statement's outcome): its caller appends it to the journal without a
         * flush of its own — the next write-ahead event's flush, or the publisher's round, records it — and queuing it
         * does not wake the publisher.
         */
        boolean lazy;
        /** Journaled by its caller ({@link #recordNow}): its bytes count in {@code callerJournaled} until released. */
        boolean byCaller;

        boolean done;
        Cursor cursor;
        int line;

        Event(String topic, String key, Encoder value, String traceparent, Recorded listener) {
            this.topic = topic;
            this.key = key;
            this.value = value;
            this.traceparent = traceparent;
            this.listener = listener;
        }
    }

    /** The JSON of an event, made on the publisher thread rather than the caller's event loop. */
    @FunctionalInterface
    interface Encoder {
        String encode();
    }

    private record Ack(Event event, int attempt, Exception error) {}

    /** The replay's place in the oldest segment. */
    static final class Cursor {
        final Path segment;
        final BitSet acked = new BitSet();
        BufferedReader reader;
        int read;
        int lines = -1;
        int ackedCount;

        Cursor(Path segment) {
            this.segment = segment;
        }
    }

    private final Producer<String, String> producer;
    private final EventSpool spool;
    private final EventJournal journal;
    private final Settings settings;
    private final LongSupplier nanos;
    /**
     * Events and acknowledgements for the publisher thread. Adding one wakes the publisher only when someone waits for
     * its outcome ({@link #wake}): under load it comes round every {@link #BUSY_WAIT_NANOS} anyway, so events recorded
     * already cost no thread hand-off each (issue 16: two futex wake-ups and context switches per statement).
     */
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    /** The publisher thread while it waits for work, else null. */
    private volatile Thread waiting;
    /** Appended to the journal by their callers without a flush yet ({@link Event#lazy}); guarded by the journal. */
    private final List<Event> lazyAppended = new ArrayList<>();

    private final ArrayDeque<Event> held = new ArrayDeque<>();
    private final EventLedger ledger = new EventLedger();
    /** Per key (session), how many of its lines the spool holds unacknowledged: such a key keeps spooling. */
    private final Map<String, Integer> spooledKeys = new HashMap<>();

    private final List<Event> unflushed = new ArrayList<>();
    private final List<Event> unflushedJournal = new ArrayList<>();
    /** Read by callers too ({@link #recordNow}); written by the publisher thread (and a caller the journal fails). */
    private volatile boolean journalFailing;

    private long heldBytes;
    private Cursor cursor;
    /** Read by callers too ({@link #recordNow}); written by the publisher thread. */
    private volatile boolean stalled;
    /** Bytes of events their callers journaled that Kafka or the spool does not have yet: bounded by the budget. */
    private final AtomicLong callerJournaled = new AtomicLong();

    private long stalledAt;
    private long nextProbeAt;
    private boolean spoolFull;
    private long lostThisEpisode;
    private final DeliveryStats stats = new DeliveryStats();

    EventDelivery(Producer<String, String> producer, EventSpool spool, Settings settings, LongSupplier nanos) {
        this(producer, spool, null, settings, nanos);
    }

    /** With a write-ahead {@code journal} (null: an event counts as recorded only once Kafka or the spool has it). */
    EventDelivery(
            Producer<String, String> producer,
            EventSpool spool,
            EventJournal journal,
            Settings settings,
            LongSupplier nanos) {
        this.producer = producer;
        this.spool = spool;
        this.journal = journal;
        this.settings = settings;
        this.nanos = nanos;
    }

    /** From any thread. */
    void offer(Event e) {
        inbox.add(e);
        if (!e.told && (!e.lazy || !e.byCaller)) {
            // someone waits for this one to be recorded (a later write-ahead event waits for every earlier seq, so
            // a lazy one the publisher has to journal itself counts too)
            wake();
        }
    }

    private void wake() {
        Thread t = waiting;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * From the caller's thread (a session's event loop): journals the event and hands its line to the operating system
     * at once, tells its listener it is recorded (on this thread, so a write-ahead request goes on without waiting
     * for the publisher's round and a hop back to its event loop), then queues it for Kafka like {@link #offer}. Only
     * while delivery is healthy (Kafka not stalled, the journal writing, the spool not full) and within the budget
     * ({@code bufferBytes} of such events not yet in Kafka or the spool), so the journal stays as bounded as the
     * ledger; otherwise, or when the journal cannot be written, the event takes the publisher's path ({@link
     * #offer}) and false is returned.
     */
    boolean recordNow(Event e, String encoded) {
        if (journal == null || stalled || journalFailing || stats.spoolFull()) {
            offer(e);
            return false;
        }
        e.encoded = encoded;
        e.bytes = encoded.length() + e.key.length() + 64;
        if (callerJournaled.addAndGet(e.bytes) > settings.bufferBytes()) {
            callerJournaled.addAndGet(-e.bytes);
            offer(e);
            return false;
        }
        String line = new EventSpool.Line(e.topic, e.key, encoded, e.traceparent).encode();
        List<Event> flushed;
        synchronized (journal) {
            try {
                e.journaled = journal.append(line);
            } catch (IOException ex) {
                callerJournaled.addAndGet(-e.bytes);
                journalFails(ex);
                offer(e);
                return false;
            }
            e.byCaller = true;
            if (e.lazy) {
                lazyAppended.add(e); // recorded by the next flush: a write-ahead event's, or the publisher's round
                flushed = List.of();
            } else {
                try {
                    journal.flush();
                } catch (IOException ex) {
                    // appended but not flushed: its line is released with the event once Kafka or the spool has it
                    journalFails(ex);
                    offer(e);
                    return false;
                }
                flushed = takeLazyAppended();
            }
        }
        for (Event done : flushed) {
            tell(done, true); // older than e: told first, so a session's recorded seqs stay in order
        }
        if (!e.lazy) {
            tell(e, true);
        }
        offer(e);
        return true;
    }

    /** The lazily appended events a flush just recorded. Holding the journal's lock. */
    private List<Event> takeLazyAppended() {
        if (lazyAppended.isEmpty()) {
            return List.of();
        }
        List<Event> done = new ArrayList<>(lazyAppended);
        lazyAppended.clear();
        return done;
    }

    /**
     * One round of the publisher thread: takes what was queued (waiting up to {@code waitNanos} for the first
     * item), then checks for a stall, routes the held events, replays, and flushes the spool.
     */
    void step(long waitNanos) throws InterruptedException {
        Object first = inbox.poll();
        if (first == null && waitNanos > 0) {
            first = await(waitNanos);
        }
        List<Object> work = new ArrayList<>();
        for (Object w = first; w != null; w = work.size() < DRAIN ? inbox.poll() : null) {
            work.add(w);
        }
        for (Object w : work) {
            if (w instanceof Event e) {
                admit(e);
            } else {
                onAck((Ack) w);
            }
        }
        long now = nanos.getAsLong();
        checkStall(now);
        pumpHeld(now);
        flushJournal();
        replay(now);
        flushSpool();
        stats.snapshot(heldBytes, ledger.bytes(), spool.bytes(), spoolFull, stalled);
    }

    /**
     * Waits for the first item: up to {@code waitNanos} when nothing is on its way, at most {@link #BUSY_WAIT_NANOS}
     * while events are in flight, held or appended lazily (their acknowledgements and flushes do not wake it).
     */
    private Object await(long waitNanos) throws InterruptedException {
        boolean busy = !ledger.isEmpty() || !held.isEmpty() || !unflushedJournal.isEmpty() || lazyPending();
        waiting = Thread.currentThread();
        try {
            Object first = inbox.poll(); // re-checked after announcing the wait: an add in between unparks
            if (first == null) {
                LockSupport.parkNanos(this, busy ? Math.min(waitNanos, BUSY_WAIT_NANOS) : waitNanos);
                first = inbox.poll();
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return first;
        } finally {
            waiting = null;
        }
    }

    private boolean lazyPending() {
        if (journal == null) {
            return false;
        }
        synchronized (journal) {
            return !lazyAppended.isEmpty();
        }
    }

    private void admit(Event e) {
        try {
            if (e.encoded == null) {
                e.encoded = e.value.encode();
            }
        } catch (RuntimeException ex) {
            LOG.errorf("event for %s cannot be encoded: %s", e.key, ex.toString());
            give(e, "it cannot be encoded");
            return;
        }
        e.bytes = e.encoded.length() + e.key.length() + 64;
        // an event its caller journaled is recorded already, or will be at the next flush (lazy), and bounded by the
        // budget: never given up
        if (!e.told && !e.byCaller && heldBytes + e.bytes > settings.memoryMaxBytes()) {
            give(e, "the proxy's event memory is full");
            return;
        }
        held.addLast(e);
        heldBytes += e.bytes;
    }

    /** Routes held events, oldest first: to the spool for a stalled Kafka or a spooling session, else to Kafka. */
    private void pumpHeld(long now) {
        while (!held.isEmpty()) {
            Event e = held.peekFirst();
            if (stalled || spooledKeys.containsKey(e.key)) {
                if (!toSpool(e)) {
                    if (!settings.refuse() || e.told || e.byCaller) {
                        return; // hold: wait for room in the spool (a journaled event is recorded: never given up)
                    }
                    held.removeFirst();
                    heldBytes -= e.bytes;
                    give(e, "the spool is full");
                    continue;
                }
            } else {
                if (ledger.bytes() + e.bytes > settings.bufferBytes() && !ledger.isEmpty()) {
                    return; // budget used up: wait for acknowledgements (or a stall)
                }
                if (!send(e, now)) {
                    continue; // stalled now: the same event goes to the spool
                }
                journal(e);
            }
            held.removeFirst();
            heldBytes -= e.bytes;
        }
    }

    private boolean send(Event e, long now) {
        ProducerRecord<String, String> r = new ProducerRecord<>(e.topic, e.key, e.encoded);
        if (e.traceparent != null) {
            r.headers().add(EventPublisher.TRACEPARENT, e.traceparent.getBytes(StandardCharsets.UTF_8));
        }
        int attempt = ++e.attempt;
        e.sentAt = now;
        e.done = false;
        ledger.add(e);
        try {
            producer.send(r, (md, ex) -> {
                inbox.add(new Ack(e, attempt, ex));
                if (!e.told || e.cursor != null || ex != null) {
                    wake(); // someone waits for it, a replay goes on, or Kafka failed: not for the next round
                }
            });
            return true;
        } catch (RuntimeException ex) {
            // the producer's own bound (max.block.ms: no metadata, or its buffer full) or a closed producer
            ledger.undoAdd(e);
            stall(now, "send failed: " + ex.getMessage());
            return false;
        }
    }

    private void onAck(Ack ack) {
        Event e = ack.event();
        if (e.cursor != null) {
            onReplayAck(e, ack);
            return;
        }
        if (e.done || ack.attempt() != e.attempt) {
            return; // moved to the spool meanwhile: a late duplicate, which the recorder's dedupe absorbs
        }
        if (ack.error() == null || fatal(ack.error())) {
            ledger.release(e);
            releaseJournal(e);
            if (ack.error() == null) {
                stats.published++;
                tell(e, true);
                if (stalled) {
                    unstall(nanos.getAsLong());
                }
            } else {
                LOG.errorf(
                        "Kafka refuses an event for %s for good: %s",
                        e.key, ack.error().toString());
                give(e, "Kafka refuses it");
            }
            return;
        }
        stall(nanos.getAsLong(), "send failed: " + ack.error().getMessage());
    }

    private void onReplayAck(Event e, Ack ack) {
        Cursor c = e.cursor;
        boolean inFlight = ledger.release(e); // false: a stall gave it up already (its line is read again)
        if (ack.error() != null && !fatal(ack.error())) {
            if (inFlight) {
                stall(nanos.getAsLong(), "replay failed: " + ack.error().getMessage());
            }
            return;
        }
        if (!c.acked.get(e.line)) { // counted once, however often the line was sent
            c.acked.set(e.line);
            c.ackedCount++;
            spooledKeys.computeIfPresent(e.key, (k, n) -> n <= 1 ? null : n - 1);
            if (ack.error() != null) {
                LOG.errorf(
                        "Kafka refuses a spooled event for %s for good: %s",
                        e.key, ack.error().toString());
                lostOne();
            } else {
                stats.published++;
                stats.replayed++;
            }
        }
        if (ack.error() == null && stalled) {
            unstall(nanos.getAsLong());
        }
    }

    /** Errors no retry cures: the event is given up rather than stalling everything behind it. */
    private static boolean fatal(Exception e) {
        return e instanceof RecordTooLargeException
                || e instanceof SerializationException
                || e instanceof InvalidTopicException;
    }

    private void checkStall(long now) {
        Event oldest = ledger.oldest();
        if (oldest != null && now - oldest.sentAt > settings.stallTimeout().toNanos()) {
            stall(
                    now,
                    "the oldest unacknowledged event is " + TimeUnit.NANOSECONDS.toMillis(now - oldest.sentAt)
                            + " ms old");
        }
    }

    /**
     * Kafka does not deliver: every unacknowledged event goes back to the front of the held queue, in send order,
     * for {@link #pumpHeld} to spool (a replayed line stays where it is, in its segment); every later event follows.
     */
    private void stall(long now, String why) {
        if (!stalled) {
            stalled = true;
            stalledAt = now;
            stats.stalls++;
            LOG.warnf(
                    "Kafka stalled (%s): spooling events to %s until it acknowledges again (%d unacknowledged)",
                    why, spool.dir(), ledger.size());
        }
        nextProbeAt = now + settings.retryInterval().toNanos();
        unsend();
    }

    /** Takes every unacknowledged event back (see {@link #stall}). */
    private void unsend() {
        List<Event> moved = ledger.takeBack();
        for (int i = moved.size() - 1; i >= 0; i--) {
            Event e = moved.get(i);
            e.attempt++; // a late acknowledgement of the old send is ignored
            e.done = false;
            held.addFirst(e);
            heldBytes += e.bytes;
        }
        if (cursor != null) {
            closeReader(cursor);
            cursor.read = 0; // read again from the start; acknowledged lines are skipped
        }
    }

    private void unstall(long now) {
        stalled = false;
        LOG.infof(
                "Kafka acknowledges again after %d ms; replaying the spool (%d bytes)",
                TimeUnit.NANOSECONDS.toMillis(now - stalledAt), spool.bytes());
    }

    private boolean toSpool(Event e) {
        try {
            if (!spool.append(new EventSpool.Line(e.topic, e.key, e.encoded, e.traceparent))) {
                spoolIsFull("it holds " + spool.bytes() + " bytes");
                return false;
            }
        } catch (IOException ex) {
            spoolIsFull(ex.toString());
            return false;
        }
        e.done = true;
        spooledKeys.merge(e.key, 1, Integer::sum);
        unflushed.add(e);
        stats.spooled++;
        return true;
    }

    private void spoolIsFull(String why) {
        if (!spoolFull) {
            spoolFull = true;
            LOG.errorf(
                    "event spool %s cannot take more (%s): requests wait for their events to be recorded%s",
                    spool.dir(), why, settings.refuse() ? " or are refused" : "");
        }
    }

    private void flushSpool() {
        if (unflushed.isEmpty()) {
            return;
        }
        boolean ok;
        try {
            spool.flush();
            ok = true;
        } catch (IOException ex) {
            LOG.errorf("cannot write event spool %s: %s", spool.dir(), ex.toString());
            ok = false;
        }
        for (Event e : unflushed) {
            if (ok) {
                releaseJournal(e);
                tell(e, true);
            } else if (e.journaled == null) {
                lostOne();
                tell(e, false);
            } // else it stays in the journal, which the next start replays
        }
        unflushed.clear();
    }

    /** Appends a sent event to the journal (once: an event sent again after a stall keeps its first line). */
    private void journal(Event e) {
        if (journal == null || e.journaled != null || e.told) {
            return;
        }
        try {
            e.journaled = journal.append(new EventSpool.Line(e.topic, e.key, e.encoded, e.traceparent).encode());
            unflushedJournal.add(e);
        } catch (IOException ex) {
            journalFails(ex); // it is recorded when Kafka acknowledges it instead
        }
    }

    /** The journal's appends reach the operating system: their events are recorded, their requests may go. */
    private void flushJournal() {
        if (journal == null) {
            return;
        }
        List<Event> lazy;
        synchronized (journal) {
            if (unflushedJournal.isEmpty() && lazyAppended.isEmpty()) {
                return;
            }
            try {
                journal.flush();
            } catch (IOException ex) {
                journalFails(ex);
                unflushedJournal.clear(); // Kafka's acknowledgement records them instead
                return;
            }
            lazy = takeLazyAppended();
        }
        if (journalFailing) {
            journalFailing = false;
            LOG.infof("write-ahead journal %s writes again", spool.dir());
        }
        for (Event e : lazy) {
            tell(e, true);
        }
        for (Event e : unflushedJournal) {
            if (e.journaled != null) { // not released meanwhile
                tell(e, true);
            }
        }
        unflushedJournal.clear();
    }

    private void journalFails(IOException ex) {
        if (!journalFailing) {
            journalFailing = true;
            LOG.errorf(
                    "cannot write the write-ahead journal in %s (%s): requests wait for Kafka's acknowledgement",
                    spool.dir(), ex.toString());
        }
    }

    /** Kafka or the spool has the event: its journal line is no longer needed. */
    private void releaseJournal(Event e) {
        if (e.journaled != null) {
            journal.release(e.journaled);
            e.journaled = null;
            if (e.byCaller) {
                callerJournaled.addAndGet(-e.bytes);
            }
        }
    }

    /** Sends spooled lines, oldest segment first: a probe while stalled, else as many as the budget allows. */
    private void replay(long now) {
        try {
            while (true) {
                if (cursor == null) {
                    if (spool.oldest() == null) {
                        if (spool.isEmpty() || (stalled && now < nextProbeAt)) {
                            return;
                        }
                        spool.seal(); // caught up: the active segment is next
                    }
                    cursor = new Cursor(spool.oldest());
                }
                Cursor c = cursor;
                if (c.lines >= 0 && c.ackedCount == c.lines) {
                    closeReader(c);
                    spool.release(c.segment);
                    cursor = null;
                    if (spoolFull) {
                        spoolFull = false;
                        LOG.infof("event spool has room again (%d events given up meanwhile)", lostThisEpisode);
                        lostThisEpisode = 0;
                    }
                    continue;
                }
                if (stalled && (ledger.replaying() > 0 || now < nextProbeAt)) {
                    return;
                }
                if (ledger.replaying() > 0 && ledger.bytes() >= settings.bufferBytes()) {
                    return;
                }
                if (c.reader == null) {
                    if (c.lines >= 0 && c.read >= c.lines) {
                        return; // all read, waiting for acknowledgements
                    }
                    c.reader = spool.open(c.segment);
                    c.read = 0;
                }
                String text = c.reader.readLine();
                if (text == null) {
                    c.lines = c.read;
                    closeReader(c);
                    continue;
                }
                int line = c.read++;
                if (c.acked.get(line) || text.isBlank()) {
                    if (!c.acked.get(line)) {
                        c.acked.set(line);
                        c.ackedCount++;
                    }
                    continue;
                }
                EventSpool.Line l = EventSpool.Line.decode(text);
                Event e = new Event(l.topic(), l.key(), () -> l.value(), l.traceparent(), null);
                e.encoded = l.value();
                e.bytes = text.length() + 64;
                e.cursor = c;
                e.line = line;
                if (!send(e, now)) {
                    return;
                }
                if (stalled) {
                    nextProbeAt = now + settings.retryInterval().toNanos();
                    return; // one probe at a time
                }
            }
        } catch (IOException | RuntimeException ex) {
            LOG.errorf("cannot replay event spool %s: %s", spool.dir(), ex.toString());
            if (cursor != null) {
                closeReader(cursor);
                cursor.read = 0;
            }
            nextProbeAt = now + settings.retryInterval().toNanos();
        }
    }

    private static void closeReader(Cursor c) {
        if (c.reader != null) {
            try {
                c.reader.close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
            c.reader = null;
        }
    }

    /**
     * Tells an event's listener, once (a journaled event hears true at the journal's flush, not again at Kafka's
     * acknowledgement). A listener's failure is its own: it must not cost the events and acknowledgements queued behind
     * it.
     */
    private static void tell(Event e, boolean ok) {
        synchronized (e) { // a lazily appended event: the flushing caller and the publisher (ack, spool) may race
            if (e.told) {
                return;
            }
            e.told = true;
        }
        try {
            e.listener.recorded(ok);
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "event listener for %s failed", e.key);
        }
    }

    /** Gives an event up: its listener hears false; counted, and logged once per episode. */
    private void give(Event e, String why) {
        e.done = true;
        if (lostThisEpisode == 0) {
            LOG.errorf("event for %s not recorded: %s (further losses are counted, not logged)", e.key, why);
        }
        lostOne();
        tell(e, false);
    }

    private void lostOne() {
        stats.lost++;
        lostThisEpisode++;
    }

    /**
     * At shutdown, after the producer had its chance: what is still unacknowledged or held goes to the spool (as
     * far as it fits), so the next start replays it.
     */
    void spoolRemaining() throws InterruptedException {
        step(0);
        stalled = true;
        unsend();
        pumpHeld(nanos.getAsLong());
        flushSpool();
        try {
            spool.close();
            if (journal != null) {
                journal.close(); // deletes what the spool took over; the rest is replayed at the next start
            }
        } catch (IOException ex) {
            LOG.errorf("cannot close event spool %s: %s", spool.dir(), ex.toString());
        }
        if (!held.isEmpty()) {
            LOG.errorf("%d events could not be spooled at shutdown and are lost", held.size());
        }
    }

    /** Whether nothing waits in memory: queued, held or unacknowledged. On the publisher thread only. */
    boolean settled() {
        return inbox.isEmpty() && held.isEmpty() && ledger.isEmpty();
    }

    /** Whether nothing waits: held, unacknowledged, spooled or queued. On the publisher thread only. */
    boolean idle() {
        return inbox.isEmpty() && held.isEmpty() && ledger.isEmpty() && spool.isEmpty();
    }

    /** Counters and gauges, readable from any thread. */
    DeliveryStats stats() {
        return stats;
    }

    int queued() {
        return inbox.size();
    }

    /** Journal lines not yet in Kafka or the spool (0 without a journal). Publisher thread only. */
    long journalPending() {
        return journal == null ? 0 : journal.pending();
    }

    /** Journal segment files of this run on disk. Publisher thread only. */
    int journalSegments() {
        return journal == null ? 0 : journal.segments();
    }
}
