package dev.portcullis.recorder.rest;

import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.recorder.api.ApiError;
import dev.portcullis.recorder.entity.RecordedSession;
import dev.portcullis.recorder.events.SessionId;
import dev.portcullis.recorder.recording.RecordingSigner;
import dev.portcullis.recorder.recording.RecordingVerifier;
import dev.portcullis.recorder.repository.SessionRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * Verifies a downloaded event file: {@code POST /v1/recordings/verify?session=<id>} with the file
 * as the body, uncompressed or gzip-compressed (as stored, or as downloaded with {@code Content-Encoding: gzip}). The signature must be by one of the recorder's keys (its own and those rotated out,
 * {@code GET /v1/recordings/keys}); an unsigned file or one signed by another key is never valid. With
 * {@code session}, the file must also be the one stored for that session (session id, SHA-256, last
 * hash). Always 200 with the result; {@code valid} says whether it passed.
 */
@Path("/v1/recordings/verify")
@RolesAllowed(Roles.AUDITOR)
public class VerifyResource {

    /**
     * Most uncompressed bytes one upload is checked for: a compressed upload (a {@code .jsonl.gz}, told by its first
     * bytes) may not make the service decompress without bound; a larger recording is checked with the offline
     * verifier.
     */
    static final long MAX_UNCOMPRESSED = 4L * 1024 * 1024 * 1024;

    private final SessionRepository sessions;
    private final RecordingSigner signer;

    VerifyResource(SessionRepository sessions, RecordingSigner signer) {
        this.sessions = sessions;
        this.signer = signer;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public RecordingCheck.Result verify(InputStream body, @QueryParam("session") @SessionId String sessionId)
            throws IOException {
        RecordingVerifier.Expected expected = null;
        if (sessionId != null && !sessionId.isBlank()) {
            RecordedSession s;
            try {
                s = VertxContextSupport.subscribeAndAwait(
                        () -> Panache.withSession(() -> sessions.findById(sessionId)));
            } catch (Throwable e) {
                throw new ApiError(Response.Status.SERVICE_UNAVAILABLE, "metadata unavailable");
            }
            if (s == null || s.sha256 == null) {
                throw new ApiError(Response.Status.NOT_FOUND, "no stored recording for session " + sessionId);
            }
            expected = new RecordingVerifier.Expected(sessionId, s.sha256, s.chainHead);
        }
        try {
            return RecordingVerifier.verify(body, signer.trusted(), expected, MAX_UNCOMPRESSED);
        } catch (IOException e) {
            // a corrupt gzip stream, a line no recording has, or a compressed upload too large to check here
            throw new ApiError(Response.Status.BAD_REQUEST, "not a readable recording: " + e.getMessage());
        }
    }
}
