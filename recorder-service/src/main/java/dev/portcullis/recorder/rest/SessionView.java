package dev.portcullis.recorder.rest;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.portcullis.recorder.entity.RecordedSession;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.ingest.SeqRanges;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** A session as the auditor API shows it (snake_case JSON). */
public record SessionView(
        String sessionId,
        String agent,
        String connection,
        String protocol,
        Map<String, String> tags,
        OffsetDateTime startedAt,
        OffsetDateTime endedAt,
        String status,
        Boolean ended,
        List<List<Long>> missing,
        long events,
        long requests,
        long denials,
        long reviews,
        Recording recording,
        Recording cast) {

    /**
     * A stored file: {@code sizeBytes}/{@code sha256} of the uncompressed file (what verifiers check),
     * {@code storedSizeBytes} and {@code encoding} ({@code gzip}, or null) of the object as stored.
     */
    public record Recording(
            String format,
            String key,
            Long sizeBytes,
            String sha256,
            String chainHead,
            String href,
            Long storedSizeBytes,
            String encoding) {}

    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() {};

    static SessionView of(RecordedSession s) {
        Map<String, String> tags = Map.of();
        if (s.tags != null) {
            try {
                tags = JsonSupport.MAPPER.readValue(s.tags, TAGS);
            } catch (IOException e) {
                // unreadable tags are shown as none
            }
        }
        String base = "/v1/sessions/" + s.sessionId + "/recording";
        Recording recording = s.objectKey == null
                ? null
                : new Recording(
                        "jsonl",
                        s.objectKey,
                        s.sizeBytes,
                        s.sha256,
                        s.chainHead,
                        base,
                        s.contentEncoding == null ? s.sizeBytes : s.storedSizeBytes,
                        s.contentEncoding);
        Recording cast = s.castKey == null
                ? null
                : new Recording(
                        "cast",
                        s.castKey,
                        s.castSizeBytes,
                        s.castSha256,
                        null,
                        base + "?format=cast",
                        s.contentEncoding == null ? s.castSizeBytes : s.castStoredSizeBytes,
                        s.contentEncoding);
        List<List<Long>> missing = SeqRanges.parse(s.missing).stream()
                .map(r -> List.of(r.from(), r.to()))
                .toList();
        // while recording, the count staged so far; denials and reviews are counted as events are staged too (and
        // counted again when the recording is written), requests only when the recording is written
        long events = RecordedSession.RECORDING.equals(s.status) ? s.buffered : s.eventCount;
        return new SessionView(
                s.sessionId,
                s.agent,
                s.connection,
                s.protocol,
                tags,
                s.startedAt,
                s.endedAt,
                s.status,
                s.ended,
                missing,
                events,
                s.requestCount,
                s.denialCount,
                s.reviewCount,
                recording,
                cast);
    }
}
