package dev.portcullis.recorder.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * One session event as the recorder keeps it: the fields it indexes, and {@code json}, the event
 * itself as compact JSON (UTF-8) with sensitive keys redacted (what goes into the recording). Bytes,
 * not a String: they are staged, hashed and written as they are, never decoded and encoded again.
 *
 * @param action for decisions (a {@code session.decision}, or a v2 {@code session.request} carrying its decision):
 *     allow, deny or review (lower case), a review's lifecycle as {@code review.<state>}; otherwise null
 */
public record SessionEvent(
        String sessionId,
        long seq,
        SessionEventType type,
        Instant time,
        String agent,
        String connection,
        String protocol,
        Map<String, String> tags,
        String action,
        byte[] json) {

    /** The event JSON as text (tests, diagnostics). */
    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        // the payload is never printed: it may hold masked-but-sensitive query text
        return "SessionEvent[" + sessionId + "#" + seq + " " + type.wire() + "]";
    }
}
