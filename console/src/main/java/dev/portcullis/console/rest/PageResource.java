package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
import dev.portcullis.console.service.AccessRequestViews;
import dev.portcullis.console.service.ConnectionViews;
import dev.portcullis.console.service.DecisionQuery;
import dev.portcullis.console.service.DecisionViews;
import dev.portcullis.console.service.SessionQuery;
import dev.portcullis.console.service.SessionViews;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.regex.Pattern;

/** The console's pages, server-rendered (Qute escapes every value); their scripts fill in what changes live. */
@Path("/")
public class PageResource {

    /** recorder-service's session id rule (recorder-service/README.md "Errors"): anything else names no session. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final Template reviews;
    private final Template sessions;
    private final Template session;
    private final ConsoleUser user;
    private final CsrfTokens csrf;
    private final SessionViews views;
    private final Template accessRequests;
    private final Template connections;
    private final AccessRequestViews requestViews;
    private final ConnectionViews connectionViews;
    private final Template decisions;
    private final DecisionViews decisionViews;

    PageResource(
            @Location("reviews.html") Template reviews,
            @Location("sessions.html") Template sessions,
            @Location("session.html") Template session,
            ConsoleUser user,
            CsrfTokens csrf,
            SessionViews views,
            @Location("access-requests.html") Template accessRequests,
            @Location("connections.html") Template connections,
            AccessRequestViews requestViews,
            ConnectionViews connectionViews,
            @Location("decisions.html") Template decisions,
            DecisionViews decisionViews) {
        this.reviews = reviews;
        this.sessions = sessions;
        this.session = session;
        this.user = user;
        this.csrf = csrf;
        this.views = views;
        this.accessRequests = accessRequests;
        this.connections = connections;
        this.requestViews = requestViews;
        this.connectionViews = connectionViews;
        this.decisions = decisions;
        this.decisionViews = decisionViews;
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/reviews")).build();
    }

    @GET
    @Path("reviews")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance reviews() {
        Viewer viewer = Viewer.of(user, csrf);
        return reviews.data("viewer", viewer).data("canDecide", viewer.approver());
    }

    @GET
    @Path("sessions")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> sessions(
            @QueryParam("agent") String agent,
            @QueryParam("connection") String connection,
            @QueryParam("protocol") String protocol,
            @QueryParam("status") String status,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("denied") String denied,
            @QueryParam("reviewed") String reviewed,
            @QueryParam("page") @DefaultValue("0") int page) {
        SessionQuery q = SessionQuery.of(agent, connection, protocol, status, from, to, denied, reviewed, page);
        Viewer viewer = Viewer.of(user, csrf);
        TemplateInstance t = sessions.data("viewer", viewer)
                .data("q", q)
                .data("protocols", SessionQuery.PROTOCOLS)
                .data("statuses", SessionQuery.STATUSES)
                .data("denials", SessionQuery.DENIALS)
                .data("reviews", SessionQuery.REVIEWS);
        if (!q.valid()) {
            // explained in the page; the recorder is not asked
            return Uni.createFrom().item(t.data("listing", null));
        }
        return views.list(user.accessToken(), q)
                .map(listing -> t.data("listing", listing)
                        .data("newer", q.page() > 0 ? q.href(q.page() - 1) : null)
                        .data(
                                "older",
                                (long) (q.page() + 1) * SessionViews.PAGE_SIZE < listing.total()
                                        ? q.href(q.page() + 1)
                                        : null));
    }

    @GET
    @Path("sessions/{id}")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> session(@PathParam("id") String id) {
        if (!SESSION_ID.matcher(id).matches()) {
            throw new NotFoundException();
        }
        Viewer viewer = Viewer.of(user, csrf);
        return views.detail(user.accessToken(), id)
                .map(detail -> session.data("viewer", viewer).data("detail", detail));
    }

    @GET
    @Path("access-requests")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> accessRequests() {
        Viewer viewer = Viewer.of(user, csrf);
        return requestViews
                .pending(user.accessToken())
                .map(listing -> accessRequests.data("viewer", viewer).data("listing", listing));
    }

    @GET
    @Path("connections")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance connections() {
        return connections.data("viewer", Viewer.of(user, csrf)).data("connections", connectionViews.all());
    }

    @GET
    @Path("decisions")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> decisions(
            @QueryParam("agent") String agent,
            @QueryParam("connection") String connection,
            @QueryParam("session") String session,
            @QueryParam("action") String action,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("page") @DefaultValue("0") int page) {
        DecisionQuery q = DecisionQuery.of(agent, connection, session, action, from, to, page);
        TemplateInstance t =
                decisions.data("viewer", Viewer.of(user, csrf)).data("q", q).data("actions", DecisionQuery.ACTIONS);
        if (!q.valid()) {
            return Uni.createFrom().item(t.data("listing", null));
        }
        return decisionViews
                .list(user.accessToken(), q)
                .map(listing -> t.data("listing", listing)
                        .data("newer", q.page() > 0 ? q.href(q.page() - 1) : null)
                        .data(
                                "older",
                                (long) (q.page() + 1) * DecisionViews.PAGE_SIZE < listing.total()
                                        ? q.href(q.page() + 1)
                                        : null));
    }
}
