package dev.portcullis.recorder.rest;

import dev.portcullis.recorder.repository.DownloadAuditRepository;
import dev.portcullis.recorder.repository.SessionRepository;
import dev.portcullis.recorder.service.RecordingDownloadService;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Auditor API over recorded sessions (DESIGN.md "Recordings"). */
@Path("/v1/sessions")
@RolesAllowed(Roles.AUDITOR)
public class SessionResource {

    private final SessionRepository sessions;
    private final DownloadAuditRepository audits;
    private final RecordingDownloadService downloads;
    private final JsonWebToken jwt;

    SessionResource(SessionRepository sessions, DownloadAuditRepository audits, RecordingDownloadService downloads,
            JsonWebToken jwt) {
        this.sessions = sessions;
        this.audits = audits;
        this.downloads = downloads;
        this.jwt = jwt;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<PageView<SessionView>> list(@QueryParam("agent") String agent, @QueryParam("connection") String connection,
            @QueryParam("protocol") String protocol, @QueryParam("status") String status, @QueryParam("from") String from,
            @QueryParam("to") String to, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        QueryParams.paging(page, size);
        if (status != null && !status.isBlank() && !List.of("recording", "complete", "incomplete").contains(status)) {
            throw new ApiError(Response.Status.BAD_REQUEST, "status must be recording, complete or incomplete");
        }
        var filter = new SessionRepository.Filter(QueryParams.blankToNull(agent), QueryParams.blankToNull(connection),
                QueryParams.blankToNull(protocol), QueryParams.blankToNull(status), QueryParams.time("from", from),
                QueryParams.time("to", to));
        return sessions.search(filter, page, size).map(r -> new PageView<>(
                r.items().stream().map(SessionView::of).toList(), page, size, r.total()));
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<SessionView> get(@PathParam("id") String id) {
        return sessions.findById(id).map(s -> {
            if (s == null) {
                throw new ApiError(Response.Status.NOT_FOUND, "no session " + id);
            }
            return SessionView.of(s);
        });
    }

    /** Who downloaded this session's recording, newest first. */
    @GET
    @Path("{id}/downloads")
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<List<Map<String, Object>>> downloads(@PathParam("id") String id) {
        return audits.forSession(id).map(list -> list.stream().<Map<String, Object>>map(a -> {
            var m = new java.util.LinkedHashMap<String, Object>();
            m.put("downloaded_at", a.downloadedAt);
            m.put("username", a.username);
            m.put("subject", a.subject);
            m.put("format", a.format);
            m.put("byte_range", a.byteRange);
            m.put("client_address", a.clientAddress);
            return m;
        }).toList());
    }

    /**
     * The stored recording, streamed from storage (see README: heap not yet flat), with its SHA-256 in
     * {@code Repr-Digest} (RFC 9530), {@code Digest} (RFC 3230) and {@code X-Portcullis-Sha256};
     * a single {@code Range} is honoured (206). Runs on a worker thread: storage reads block.
     */
    @GET
    @Path("{id}/recording")
    public Response recording(@PathParam("id") String id, @QueryParam("format") @DefaultValue("jsonl") String format,
            @HeaderParam("Range") String range, @Context HttpServerRequest request) {
        String username = jwt.getClaim("preferred_username");
        var who = new RecordingDownloadService.Requester(jwt.getSubject(), username,
                request.remoteAddress() == null ? null : request.remoteAddress().hostAddress());
        RecordingDownloadService.Download d = downloads.open(id, format, range, who);
        InputStream body = d.body();
        StreamingOutput stream = out -> {
            try (body) {
                body.transferTo(out);
            }
        };
        String b64 = d.sha256() == null ? null : Base64.getEncoder().encodeToString(HexFormat.of().parseHex(d.sha256()));
        Response.ResponseBuilder r = Response.status(d.range().isPresent() ? 206 : 200).entity(stream)
                .type(d.contentType())
                .header(HttpHeaders.CONTENT_LENGTH, d.length())
                .header("Accept-Ranges", "bytes")
                .header("Content-Disposition", "attachment; filename=\"" + id + "." + d.format() + "\"")
                .header("X-Portcullis-Recording-Status", d.session().status)
                .header("Cache-Control", "no-store");
        if (d.sha256() != null) {
            r.header("Repr-Digest", "sha-256=:" + b64 + ":").header("Digest", "sha-256=" + b64)
                    .header("X-Portcullis-Sha256", d.sha256()).header(HttpHeaders.ETAG, "\"" + d.sha256() + "\"");
        }
        if ("jsonl".equals(d.format()) && d.session().chainHead != null) {
            r.header("X-Portcullis-Chain-Head", d.session().chainHead);
        }
        d.range().ifPresent(br -> r.header("Content-Range", br.contentRange(d.size())));
        return r.build();
    }
}
