package dev.portcullis.recorder.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/**
 * A session's recording metadata. Ingestion writes the row with set-based SQL (see
 * {@code SessionEventStore}); the API reads it through Hibernate Reactive.
 */
@Entity
@Table(name = "recorded_session")
public class RecordedSession {

    public static final String RECORDING = "recording";
    public static final String COMPLETE = "complete";
    public static final String INCOMPLETE = "incomplete";

    @Id
    @Column(name = "session_id")
    public String sessionId;

    public String agent;
    public String connection;
    public String protocol;
    /** JSON object of the connection's tags. */
    public String tags;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "ended_at")
    public OffsetDateTime endedAt;

    @Column(name = "first_event_at")
    public OffsetDateTime firstEventAt;

    @Column(name = "first_seen_at")
    public OffsetDateTime firstSeenAt;

    @Column(name = "end_seq")
    public Long endSeq;

    @Column(name = "max_seq")
    public Long maxSeq;

    public long buffered;
    public String status;
    public Boolean ended;
    /** Missing seq ranges, e.g. {@code 3-4,9}. */
    public String missing;

    @Column(name = "event_count")
    public long eventCount;

    @Column(name = "request_count")
    public long requestCount;

    @Column(name = "denial_count")
    public long denialCount;

    @Column(name = "review_count")
    public long reviewCount;

    @Column(name = "object_key")
    public String objectKey;

    @Column(name = "size_bytes")
    public Long sizeBytes;

    public String sha256;

    @Column(name = "chain_head")
    public String chainHead;

    @Column(name = "cast_key")
    public String castKey;

    @Column(name = "cast_size_bytes")
    public Long castSizeBytes;

    @Column(name = "cast_sha256")
    public String castSha256;

    /** {@code gzip} when the stored objects are compressed; null for a recording stored as written. */
    @Column(name = "content_encoding")
    public String contentEncoding;

    /** Size and SHA-256 of the stored (compressed) event file; {@link #sizeBytes}/{@link #sha256} are uncompressed. */
    @Column(name = "stored_size_bytes")
    public Long storedSizeBytes;

    @Column(name = "stored_sha256")
    public String storedSha256;

    @Column(name = "cast_stored_size_bytes")
    public Long castStoredSizeBytes;

    @Column(name = "cast_stored_sha256")
    public String castStoredSha256;

    @Column(name = "finalized_at")
    public OffsetDateTime finalizedAt;

    /** The time the session is filed under: its start, else its first event, else when it was first seen. */
    public OffsetDateTime effectiveStart() {
        return startedAt != null ? startedAt : firstEventAt != null ? firstEventAt : firstSeenAt;
    }

    @Override
    public String toString() {
        return "RecordedSession[" + sessionId + " " + status + "]";
    }
}
