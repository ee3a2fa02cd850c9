package dev.portcullis.proxy.events;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The on-disk spool of events Kafka has not acknowledged (docs/architecture.md "Delivery"): a directory of
 * segment files of lines ({@link Line}: topic, key, traceparent, the event's JSON), appended to one
 * at a time and replayed whole, oldest first. A segment is never rewritten: the replay reads a sealed segment once,
 * front to back, and deletes it when all its lines are acknowledged; the active one is sealed when the replay has
 * caught up with it. An appended line counts as recorded once it is flushed to the operating system ({@link
 * #flush}), which a {@code kill -9} of the proxy does not lose (a power cut may).
 *
 * <p>Used by the publisher thread only; not thread-safe. A spool left by an earlier run is replayed first (its
 * segments, the write-ahead journal's leftover segments, and a single {@code events.jsonl} of older versions).
 */
final class EventSpool implements AutoCloseable {

    static final String SUFFIX = ".jsonl";
    private static final String LEGACY = "events.jsonl";

    /**
     * A line of a segment, as appended: {@code 2<TAB>topic<TAB>key<TAB>traceparent<TAB>value}, the value (one line of
     * JSON) as it is, so writing a line copies the event rather than escaping it into a JSON string. Lines of earlier
     * versions, and a line whose fields hold a tab or a line break, are a JSON object instead.
     */
    record Line(String topic, String key, String value, String traceparent) {
        private static final String V2 = "2\t";

        String encode() {
            String tp = traceparent == null ? "" : traceparent;
            if (plain(topic) && plain(key) && plain(tp) && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
                return new StringBuilder(value.length() + topic.length() + key.length() + tp.length() + 8)
                        .append(V2)
                        .append(topic)
                        .append('\t')
                        .append(key)
                        .append('\t')
                        .append(tp)
                        .append('\t')
                        .append(value)
                        .toString();
            }
            JsonObject j = new JsonObject().put("topic", topic).put("key", key).put("value", value);
            if (traceparent != null) {
                j.put(EventPublisher.TRACEPARENT, traceparent);
            }
            return j.encode();
        }

        private static boolean plain(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\t' || c == '\n' || c == '\r') {
                    return false;
                }
            }
            return true;
        }

        static Line decode(String line) {
            if (line.startsWith(V2)) {
                int a = line.indexOf('\t', V2.length());
                int b = a < 0 ? -1 : line.indexOf('\t', a + 1);
                int c = b < 0 ? -1 : line.indexOf('\t', b + 1);
                if (c < 0) {
                    throw new IllegalArgumentException("a spool line of version 2 with fewer than five fields");
                }
                String tp = line.substring(b + 1, c);
                return new Line(
                        line.substring(V2.length(), a),
                        line.substring(a + 1, b),
                        line.substring(c + 1),
                        tp.isEmpty() ? null : tp);
            }
            JsonObject j = new JsonObject(line);
            return new Line(
                    j.getString("topic"),
                    j.getString("key"),
                    j.getString("value"),
                    j.getString(EventPublisher.TRACEPARENT));
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final Deque<Path> sealed = new ArrayDeque<>();
    private long nextSegment;
    private Path active;
    private BufferedWriter writer;
    private long activeBytes;
    private long activeLines;
    private long sealedBytes;

    EventSpool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(4096, segmentBytes);
        Files.createDirectories(this.dir);
        List<Path> left = new ArrayList<>();
        Path legacy = this.dir.resolve(LEGACY);
        if (Files.isRegularFile(legacy)) {
            left.add(legacy);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(this.dir, "seg-*" + SUFFIX)) {
            List<Path> segs = new ArrayList<>();
            files.forEach(segs::add);
            segs.sort(null); // zero-padded numbers: name order is age order
            left.addAll(segs);
        }
        // the write-ahead journal's unreleased segments of a run that did not shut down cleanly (EventJournal)
        left.addAll(EventJournal.leftovers(this.dir));
        for (Path p : left) {
            if (Files.size(p) == 0) {
                Files.delete(p);
                continue;
            }
            sealed.add(p);
            sealedBytes += Files.size(p);
            nextSegment = Math.max(nextSegment, number(p) + 1);
        }
    }

    private static long number(Path p) {
        String n = p.getFileName().toString();
        if (!n.startsWith("seg-")) {
            return -1;
        }
        return Long.parseLong(n.substring(4, n.length() - SUFFIX.length()));
    }

    /** Bytes on disk (sealed and active segments). */
    long bytes() {
        return sealedBytes + activeBytes;
    }

    /** Whether {@code line} fits under the spool's limit. */
    boolean fits(String encoded) {
        return bytes() + encoded.length() + 1 <= maxBytes;
    }

    boolean isEmpty() {
        return sealed.isEmpty() && activeLines == 0;
    }

    /**
     * Appends a line; false when the spool is full (nothing written). Not yet recorded: {@link #flush} first.
     *
     * @throws IOException when the disk refuses (the caller treats the spool as full)
     */
    boolean append(Line line) throws IOException {
        String encoded = line.encode();
        if (!fits(encoded)) {
            return false;
        }
        if (writer == null) {
            active = dir.resolve(String.format("seg-%020d%s", nextSegment++, SUFFIX));
            writer = Files.newBufferedWriter(
                    active, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        writer.write(encoded);
        writer.write('\n');
        activeBytes += encoded.getBytes(StandardCharsets.UTF_8).length + 1L;
        activeLines++;
        if (activeBytes >= segmentBytes) {
            seal();
        }
        return true;
    }

    /** Hands what was appended to the operating system: from here on a {@code kill -9} does not lose it. */
    void flush() throws IOException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Seals the active segment (if it holds anything), so the replay can read it. */
    void seal() throws IOException {
        if (writer == null) {
            return;
        }
        writer.close();
        writer = null;
        sealed.add(active);
        sealedBytes += activeBytes;
        activeBytes = 0;
        activeLines = 0;
        active = null;
    }

    /** The oldest sealed segment, or null. */
    Path oldest() {
        return sealed.peekFirst();
    }

    BufferedReader open(Path segment) throws IOException {
        return Files.newBufferedReader(segment, StandardCharsets.UTF_8);
    }

    /** Deletes the oldest sealed segment once every line of it is acknowledged. */
    void release(Path segment) throws IOException {
        if (!segment.equals(sealed.peekFirst())) {
            throw new IllegalStateException("segments are released oldest first");
        }
        sealed.removeFirst();
        sealedBytes -= Files.size(segment);
        Files.delete(segment);
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }
}
