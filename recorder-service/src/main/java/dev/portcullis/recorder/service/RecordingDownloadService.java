package dev.portcullis.recorder.service;

import dev.portcullis.contracts.recording.StoredEncoding;
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

    /**
     * A download: what is sent, and {@code body} once opened (null from {@link #describe}); the caller streams and
     * closes it.
     *
     * @param size bytes of the representation sent, whole (the range is over these)
     * @param sha256 SHA-256 of the uncompressed file, what verifiers check ({@code X-Portcullis-Sha256})
     * @param reprSha256 SHA-256 of the representation sent ({@code Repr-Digest}): the gzip bytes when {@code
     *     encoding} is gzip, else {@code sha256}
     * @param encoding the {@code Content-Encoding} sent ({@code gzip}), or null
     * @param storedSize bytes of the stored object
     * @param decode the object is stored compressed and sent uncompressed
     */
    public record Download(
            RecordedSession session,
            String format,
            String key,
            String contentType,
            long size,
            String sha256,
            String reprSha256,
            String encoding,
            long storedSize,
            boolean decode,
            Optional<ByteRange> range,
            InputStream body) {
        Download withBody(InputStream opened) {
            return new Download(
                    session,
                    format,
                    key,
                    contentType,
                    size,
                    sha256,
                    reprSha256,
                    encoding,
                    storedSize,
                    decode,
                    range,
                    opened);
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
     * since no recording content leaves the service. A recording stored compressed is described as sent: gzip
     * when {@code acceptsGzip}, else decompressed (its range then counts uncompressed bytes).
     */
    public Download describe(String sessionId, String format, String rangeHeader, boolean acceptsGzip) {
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
        Long storedSize;
        String storedSha;
        String type;
        switch (format) {
            case "jsonl" -> {
                key = s.objectKey;
                size = s.sizeBytes == null ? 0 : s.sizeBytes;
                sha = s.sha256;
                storedSize = s.storedSizeBytes;
                storedSha = s.storedSha256;
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
                storedSize = s.castStoredSizeBytes;
                storedSha = s.castStoredSha256;
                type = "application/x-asciicast";
            }
            default -> throw new ApiError(Response.Status.BAD_REQUEST, "format must be jsonl or cast");
        }
        if (key == null) {
            throw new ApiError(Response.Status.NOT_FOUND, "session " + sessionId + " has no stored recording");
        }
        // a compressed recording goes out as stored to a client that takes gzip, else decompressed; an older one
        // (no encoding) as it is
        boolean compressed = StoredEncoding.GZIP.equals(s.contentEncoding) && storedSize != null;
        boolean sendGzip = compressed && acceptsGzip;
        long sent = sendGzip ? storedSize : size;
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(rangeHeader, sent);
        } catch (ByteRange.Unsatisfiable e) {
            throw ApiError.rangeNotSatisfiable(sent);
        }
        return new Download(
                s,
                format,
                key,
                type,
                sent,
                sha,
                sendGzip ? storedSha : sha,
                sendGzip ? StoredEncoding.GZIP : null,
                compressed ? storedSize : size,
                compressed && !sendGzip,
                range,
                null);
    }

    /** Describes the download, writes its audit row and opens the stored object. */
    public Download open(String sessionId, String format, String rangeHeader, boolean acceptsGzip, Requester who) {
        Download d = describe(sessionId, format, rangeHeader, acceptsGzip);
        Optional<ByteRange> range = d.range();
        DownloadAudit audit = new DownloadAudit();
        audit.sessionId = sessionId;
        audit.format = format;
        audit.byteRange =
                range.map(r -> r.offset() + "-" + (r.offset() + r.length() - 1)).orElse(null);
        audit.contentEncoding = d.encoding();
        audit.subject = who.subject();
        audit.username = who.username();
        audit.clientAddress = who.clientAddress();
        audit.downloadedAt = OffsetDateTime.now(ZoneOffset.UTC);
        await(() -> Panache.withTransaction(() -> audits.persist(audit)));
        LOG.infof(
                "download of session %s (%s%s%s) by %s (%s) from %s",
                sessionId,
                format,
                d.encoding() == null ? "" : ", " + d.encoding(),
                audit.byteRange == null ? "" : ", bytes " + audit.byteRange,
                who.username(),
                who.subject(),
                who.clientAddress());
        registry.counter("recorder.downloads", "format", format).increment();
        long offset = range.map(ByteRange::offset).orElse(0L);
        try {
            return d.withBody(
                    d.decode()
                            ? store.openDecoded(d.key(), d.storedSize(), offset, d.length())
                            : store.open(d.key(), offset, d.length()));
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
