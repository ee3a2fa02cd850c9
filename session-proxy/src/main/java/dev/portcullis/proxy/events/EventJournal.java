package dev.portcullis.proxy.events;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead journal (docs/architecture.md "Delivery", ADR 0031): every event handed to Kafka is also appended
 * here, and once the append is handed to the operating system the event counts as recorded — a request is forwarded
 * without waiting for Kafka's acknowledgement round trip. Kafka's acknowledgement (or the event's move to the spool in
 * a stall) releases the line; a segment whose lines are all released is deleted. What a {@code kill -9} leaves behind
 * is the unreleased tail: the next start replays the leftover segments through the spool ({@link #leftovers}), and the
 * recorder's ({@code session_id}, {@code seq}) dedupe absorbs the lines Kafka had acknowledged already.
 *
 * <p>Lines have the spool's format ({@link EventSpool.Line}). Thread-safe: the publisher thread appends the events it
 * sends, and a session's event loop may append its own event and flush (EventDelivery#recordNow, holding this
 * journal's lock across the two).
 */
final class EventJournal implements AutoCloseable {

    static final String DIR = "journal";
    private static final String PREFIX = "jrn-";

    /** A segment file and how many of its lines are still waiting for Kafka (or the spool). */
    static final class Segment {
        private final Path file;
        private long lines;
        private long released;
        private boolean sealed;

        private Segment(Path file) {
            this.file = file;
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private long nextNumber;
    private Segment active;
    private BufferedWriter writer;
    private long activeBytes;
    private final List<Segment> open = new ArrayList<>();

    /**
     * A journal in {@code spoolDir}/journal. Segments an earlier run left there belong to the spool ({@link
     * #leftovers}); this journal numbers its own after them and never touches them.
     */
    EventJournal(Path spoolDir, long segmentBytes) throws IOException {
        this.dir = spoolDir.toAbsolutePath().resolve(DIR);
        this.segmentBytes = Math.max(4096, segmentBytes);
        Files.createDirectories(dir);
        for (Path p : leftovers(spoolDir)) {
            nextNumber = Math.max(nextNumber, number(p) + 1);
        }
    }

    /** Segments an earlier run left unreleased (crash, {@code kill -9}): the spool replays them, oldest first. */
    static List<Path> leftovers(Path spoolDir) throws IOException {
        Path d = spoolDir.toAbsolutePath().resolve(DIR);
        List<Path> left = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return left;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(d, PREFIX + "*" + EventSpool.SUFFIX)) {
            files.forEach(left::add);
        }
        left.sort(null); // zero-padded numbers: name order is age order
        return left;
    }

    private static long number(Path p) {
        String n = p.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - EventSpool.SUFFIX.length()));
    }

    /**
     * Appends an event's line; it counts as recorded after the next {@link #flush}. Returns the segment to {@link
     * #release} it from once Kafka (or the spool) has it.
     *
     * @throws IOException when the disk refuses (the caller waits for Kafka's acknowledgement instead)
     */
    synchronized Segment append(String encodedLine) throws IOException {
        if (writer == null) {
            Segment s = new Segment(dir.resolve(String.format("%s%020d%s", PREFIX, nextNumber++, EventSpool.SUFFIX)));
            writer = Files.newBufferedWriter(
                    s.file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            active = s;
            activeBytes = 0;
            open.add(s);
        }
        writer.write(encodedLine);
        writer.write('\n');
        activeBytes += encodedLine.length() + 1L; // chars, close enough for rotation
        active.lines++;
        Segment s = active;
        if (activeBytes >= segmentBytes) {
            rotate();
        }
        return s;
    }

    /** Hands what was appended to the operating system: from here on a {@code kill -9} does not lose it. */
    synchronized void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** One line of {@code s} is in Kafka or the spool: the segment goes once all of its lines are. */
    synchronized void release(Segment s) {
        s.released++;
        deleteIfDone(s);
    }

    private void rotate() throws IOException {
        BufferedWriter w = writer;
        Segment s = active;
        writer = null;
        active = null;
        s.sealed = true;
        w.close();
        deleteIfDone(s);
    }

    private void deleteIfDone(Segment s) {
        if (!s.sealed || s.released < s.lines) {
            return;
        }
        open.remove(s);
        try {
            Files.deleteIfExists(s.file);
        } catch (IOException e) {
            // the next start replays it: duplicates only, which the recorder's dedupe absorbs
        }
    }

    /** Unreleased lines in this run's segments. */
    synchronized long pending() {
        long n = 0;
        for (Segment s : open) {
            n += s.lines - s.released;
        }
        return n;
    }

    /** Segment files of this run still on disk. */
    synchronized int segments() {
        return open.size();
    }

    /**
     * At shutdown, after everything unacknowledged went to the spool: seals the active segment, which deletes every
     * segment whose lines are all released; what remains is replayed at the next start.
     */
    @Override
    public synchronized void close() throws IOException {
        if (writer != null) {
            rotate();
        }
    }
}
