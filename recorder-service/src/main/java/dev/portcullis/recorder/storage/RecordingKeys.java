package dev.portcullis.recorder.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.regex.Pattern;

/**
 * Object keys (docs/architecture.md "Recordings"): {@code recordings/<yyyy>/<mm>/<dd>/<session_id>.<ext>} (UTC date
 * of the session start), {@code .gz} appended for a compressed recording.
 */
public final class RecordingKeys {

    public static final String EVENTS_EXT = "jsonl";
    public static final String CAST_EXT = "cast";
    static final Pattern KEY =
            Pattern.compile("recordings/\\d{4}/\\d{2}/\\d{2}/[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\\.(jsonl|cast)(\\.gz)?");

    private RecordingKeys() {}

    public static String key(Instant start, String sessionId, String ext) {
        ZonedDateTime d = start.atZone(ZoneOffset.UTC);
        String key = "recordings/%04d/%02d/%02d/%s.%s"
                .formatted(d.getYear(), d.getMonthValue(), d.getDayOfMonth(), sessionId, ext);
        return requireValid(key);
    }

    /** Refuses anything but a recording key (no traversal, no other prefixes). */
    public static String requireValid(String key) {
        if (key == null || !KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("not a recording key");
        }
        return key;
    }
}
