package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

    PageResource(
            @Location("reviews.html") Template reviews,
            @Location("sessions.html") Template sessions,
            @Location("session.html") Template session,
            ConsoleUser user,
            CsrfTokens csrf,
            SessionViews views) {
        this.reviews = reviews;
        this.sessions = sessions;
        this.session = session;
        this.user = user;
        this.csrf = csrf;
        this.views = views;
    }

    @GET
    public Response home() {
        return Response.seeOther(URI.create("/reviews")).build();
    }

    @GET
    @Path("reviews")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance reviews() {
        return reviews.data("user", user.name())
                .data("canDecide", user.hasRole("approver"))
                .data("csrf", csrf.token(user.sessionId(), user.subject()));
    }

    @GET
    @Path("sessions")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> sessions(
            @QueryParam("agent") String agent, @QueryParam("page") @DefaultValue("0") int page) {
        if (page < 0) {
            throw new NotFoundException();
        }
        String a = agent == null ? "" : agent;
        String name = user.name();
        return views.list(user.accessToken(), a, page)
                .map(listing -> sessions.data("user", name)
                        .data("agent", a)
                        .data("listing", listing)
                        .data("newer", page > 0 ? href(a, page - 1) : null)
                        .data("older", href(a, page + 1)));
    }

    @GET
    @Path("sessions/{id}")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> session(@PathParam("id") String id) {
        if (!SESSION_ID.matcher(id).matches()) {
            throw new NotFoundException();
        }
        String name = user.name();
        return views.detail(user.accessToken(), id)
                .map(detail -> session.data("user", name).data("detail", detail));
    }

    private static String href(String agent, int page) {
        return "/sessions?page=" + page
                + (agent.isEmpty() ? "" : "&agent=" + URLEncoder.encode(agent, StandardCharsets.UTF_8));
    }
}
