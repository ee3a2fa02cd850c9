package dev.portcullis.recorder.service;

import dev.portcullis.recorder.api.ApiError;
import dev.portcullis.recorder.api.ByteRange;
import dev.portcullis.recorder.entity.DownloadAudit;
import dev.portcullis.recorder.entity.RecordedSession;
import dev.portcullis.recorder.repository.DownloadAuditRepository;
import dev.portcullis.recorder.repository.SessionRepository;
import dev.portcullis.recorder.storage.RecordingStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Prepares a recording download: finds it, resolves the range, writes the audit row (no audit, no
 * download), then opens the stored object for streaming. Blocking: call from a worker thread.
 */
@ApplicationScoped
public class RecordingDownloadService {

    private static final Logger LOG = Logger.getLogger(RecordingDownloadService.class);

    /** Who asks, for the audit trail. */
    public record Requester(String subject, String username, String clientAddress) {}

    /** A download: what is sent, and {@code body} once opened (null from {@link #describe}); the caller streams and closes it. */
    public record Download(
            RecordedSession session,
            String format,
            String key,
            String contentType,
            long size,
            String sha256,
            Optional<ByteRange> range,
            InputStream body) {
        Download withBody(InputStream opened) {
            return new Download(session, format, key, contentType, size, sha256, range, opened);
        }

        public long length() {
            return range.map(ByteRange::length).orElse(size);
        }
    }

    private final SessionRepository sessions;
    private final DownloadAuditRepository audits;
    private final RecordingStore store;
    private final MeterRegistry registry;

    RecordingDownloadService(
            SessionRepository sessions, DownloadAuditRepository audits, RecordingStore store, MeterRegistry registry) {
        this.sessions = sessions;
        this.audits = audits;
        this.store = store;
        this.registry = registry;
    }

    /**
     * What a download would send (headers only, {@code body} null), for {@code HEAD}: not audited,
     * since no recording content leaves the service.
     */
    public Download describe(String sessionId, String format, String rangeHeader) {
        RecordingStore.requireBlockingAllowed("recording download");
        RecordedSession s = await(() -> Panache.withSession(() -> sessions.findById(sessionId)));
        if (s == null) {
            throw new ApiError(Response.Status.NOT_FOUND, "no session " + sessionId);
        }
        if (RecordedSession.RECORDING.equals(s.status)) {
            throw new ApiError(Response.Status.CONFLICT, "session " + sessionId + " is still being recorded");
        }
        String key;
        long size;
        String sha;
        String type;
        switch (format) {
            case "jsonl" -> {
                key = s.objectKey;
                size = s.sizeBytes == null ? 0 : s.sizeBytes;
                sha = s.sha256;
                type = "application/x-ndjson";
            }
            case "cast" -> {
                if (s.castKey == null) {
                    throw new ApiError(
                            Response.Status.NOT_FOUND,
                            "session " + sessionId + " has no asciicast (neither SSH nor Kubernetes)");
                }
                key = s.castKey;
                size = s.castSizeBytes == null ? 0 : s.castSizeBytes;
                sha = s.castSha256;
                type = "application/x-asciicast";
            }
            default -> throw new ApiError(Response.Status.BAD_REQUEST, "format must be jsonl or cast");
        }
        if (key == null) {
            throw new ApiError(Response.Status.NOT_FOUND, "session " + sessionId + " has no stored recording");
        }
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(rangeHeader, size);
        } catch (ByteRange.Unsatisfiable e) {
            throw ApiError.rangeNotSatisfiable(size);
        }
        return new Download(s, format, key, type, size, sha, range, null);
    }

    /** Describes the download, writes its audit row and opens the stored object. */
    public Download open(String sessionId, String format, String rangeHeader, Requester who) {
        Download d = describe(sessionId, format, rangeHeader);
        Optional<ByteRange> range = d.range();
        DownloadAudit audit = new DownloadAudit();
        audit.sessionId = sessionId;
        audit.format = format;
        audit.byteRange =
                range.map(r -> r.offset() + "-" + (r.offset() + r.length() - 1)).orElse(null);
        audit.subject = who.subject();
        audit.username = who.username();
        audit.clientAddress = who.clientAddress();
        audit.downloadedAt = OffsetDateTime.now(ZoneOffset.UTC);
        await(() -> Panache.withTransaction(() -> audits.persist(audit)));
        LOG.infof(
                "download of session %s (%s%s) by %s (%s) from %s",
                sessionId,
                format,
                audit.byteRange == null ? "" : ", bytes " + audit.byteRange,
                who.username(),
                who.subject(),
                who.clientAddress());
        registry.counter("recorder.downloads", "format", format).increment();
        long offset = range.map(ByteRange::offset).orElse(0L);
        try {
            return d.withBody(store.open(d.key(), offset, d.length()));
        } catch (NoSuchFileException e) {
            LOG.errorf("the stored recording of session %s is missing from storage (%s)", sessionId, d.key());
            throw new ApiError(Response.Status.NOT_FOUND, "the stored recording is missing");
        } catch (IOException e) {
            LOG.errorf("reading the recording of session %s failed: %s", sessionId, e.getMessage());
            throw new ApiError(Response.Status.SERVICE_UNAVAILABLE, "storage unavailable");
        }
    }

    private static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> uni) {
        try {
            return VertxContextSupport.subscribeAndAwait(uni);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
