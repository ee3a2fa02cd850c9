package dev.portcullis.recorder.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.recording.RecordingFormat;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEventType;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an SSH session as asciicast v2 (playable with {@code asciinema play}): a header line, then
 * {@code [seconds, "o", text]} for session output and {@code [seconds, "i", text]} for input/commands.
 * Times are relative to the session start and never decrease.
 */
public final class AsciicastWriter implements Closeable {

    public record Written(long size, String sha256) {}

    private final RecordingWriter.CountingOutputStream counter;
    private final DigestOutputStream out;
    private Instant start;
    private double last;
    private boolean headerWritten;

    public AsciicastWriter(OutputStream target) {
        this.counter = new RecordingWriter.CountingOutputStream(new BufferedOutputStream(target, 64 * 1024));
        this.out = new DigestOutputStream(counter, RecordingFormat.sha256());
    }

    /** Writes the header; {@code started} is the session.started event (may be null when it is missing). */
    public void header(Instant startedAt, JsonNode started, String title) throws IOException {
        this.start = startedAt;
        JsonNode data = started == null ? null : started.path("data").isObject() ? started.get("data") : started;
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("version", 2);
        h.put("width", dimension(data, 80, "/width", "/cols", "/pty/cols", "/pty/width", "/terminal/cols"));
        h.put("height", dimension(data, 24, "/height", "/rows", "/pty/rows", "/pty/height", "/terminal/rows"));
        if (startedAt != null) {
            h.put("timestamp", startedAt.getEpochSecond());
        }
        h.put("title", title);
        String term = data == null ? null : firstText(data, "/term", "/pty/term", "/terminal/term");
        h.put("env", Map.of("TERM", term == null ? "xterm-256color" : term, "SHELL", "/bin/sh"));
        writeJson(h);
        headerWritten = true;
    }

    /** Adds an event if it carries terminal data; other events are skipped. */
    public void event(SessionEventType type, Instant time, JsonNode event) throws IOException {
        if (!headerWritten) {
            throw new IllegalStateException("header first");
        }
        JsonNode data = event.path("data").isObject() ? event.get("data") : event;
        String code;
        String text;
        if (type == SessionEventType.OUTPUT) {
            code = "o";
            text = terminalText(data, "output", "data", "text", "chunk");
        } else if (type == SessionEventType.REQUEST) {
            code = "i";
            text = terminalText(data, "input", "command", "text", "data");
        } else {
            return;
        }
        if (text == null || text.isEmpty()) {
            return;
        }
        double t = last;
        if (time != null && start != null) {
            // microsecond resolution, as asciinema writes it
            double s = Duration.between(start, time).toNanos() / 1000 / 1_000_000.0;
            if (s > last) {
                t = s;
            }
        }
        last = t;
        List<Object> line = new ArrayList<>(3);
        line.add(t);
        line.add(code);
        line.add(text);
        writeJson(line);
    }

    public Written finish() throws IOException {
        out.flush();
        return new Written(
                counter.count, HexFormat.of().formatHex(out.getMessageDigest().digest()));
    }

    private void writeJson(Object value) throws IOException {
        try {
            out.write(JsonSupport.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IOException(e);
        }
        out.write('\n');
    }

    private static String terminalText(JsonNode data, String... fields) {
        for (String f : fields) {
            JsonNode n = data.get(f);
            if (n != null && n.isTextual()) {
                return n.textValue();
            }
            JsonNode b64 = data.get(f + "_base64");
            if (b64 == null) {
                b64 = data.get(f + "_b64");
            }
            if (b64 != null && b64.isTextual()) {
                try {
                    return new String(Base64.getDecoder().decode(b64.textValue()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static int dimension(JsonNode data, int fallback, String... paths) {
        if (data == null) {
            return fallback;
        }
        for (String p : paths) {
            JsonNode n = data.at(p);
            if (n.canConvertToInt() && n.intValue() > 0 && n.intValue() < 10_000) {
                return n.intValue();
            }
        }
        return fallback;
    }

    private static String firstText(JsonNode data, String... paths) {
        for (String p : paths) {
            JsonNode n = data.at(p);
            if (n.isTextual()) {
                return n.textValue();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
