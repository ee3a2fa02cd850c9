package dev.portcullis.recorder.rest;

import dev.portcullis.recorder.api.ApiError;
import dev.portcullis.recorder.events.SessionId;
import dev.portcullis.recorder.repository.DownloadAuditRepository;
import dev.portcullis.recorder.repository.SessionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Auditor API over recorded sessions (docs/architecture.md "Recordings"). */
@Path("/v1/sessions")
@RolesAllowed(Roles.AUDITOR)
public class SessionResource {

    private final SessionRepository sessions;
    private final DownloadAuditRepository audits;

    SessionResource(SessionRepository sessions, DownloadAuditRepository audits) {
        this.sessions = sessions;
        this.audits = audits;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<PageView<SessionView>> list(
            @QueryParam("agent") @Size(max = QueryParams.MAX_NAME) String agent,
            @QueryParam("connection") @Size(max = QueryParams.MAX_NAME) String connection,
            @QueryParam("protocol") @Pattern(regexp = QueryParams.PROTOCOLS, message = QueryParams.PROTOCOLS_MESSAGE)
                    String protocol,
            @QueryParam("status")
                    @Pattern(
                            regexp = "|recording|complete|incomplete",
                            message = "must be recording, complete or incomplete")
                    String status,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("denied") @Pattern(regexp = QueryParams.FLAG, message = QueryParams.FLAG_MESSAGE) String denied,
            @QueryParam("reviewed") @Pattern(regexp = QueryParams.FLAG, message = QueryParams.FLAG_MESSAGE)
                    String reviewed,
            @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("50") int size) {
        QueryParams.paging(page, size);
        var filter = new SessionRepository.Filter(
                QueryParams.blankToNull(agent),
                QueryParams.blankToNull(connection),
                QueryParams.blankToNull(protocol),
                QueryParams.blankToNull(status),
                QueryParams.time("from", from),
                QueryParams.time("to", to),
                QueryParams.flag(denied),
                QueryParams.flag(reviewed));
        return sessions.search(filter, page, size)
                .map(r -> new PageView<>(r.items().stream().map(SessionView::of).toList(), page, size, r.total()));
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<SessionView> get(@PathParam("id") @SessionId String id) {
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
    public Uni<List<Map<String, Object>>> downloads(@PathParam("id") @SessionId String id) {
        return audits.forSession(id)
                .map(list -> list.stream()
                        .<Map<String, Object>>map(a -> {
                            var m = new java.util.LinkedHashMap<String, Object>();
                            m.put("downloaded_at", a.downloadedAt);
                            m.put("username", a.username);
                            m.put("subject", a.subject);
                            m.put("format", a.format);
                            m.put("byte_range", a.byteRange);
                            m.put("content_encoding", a.contentEncoding);
                            m.put("client_address", a.clientAddress);
                            return m;
                        })
                        .toList());
    }

    // GET {id}/recording is RecordingDownloadRoute: a Vert.x route that streams with back-pressure
}
