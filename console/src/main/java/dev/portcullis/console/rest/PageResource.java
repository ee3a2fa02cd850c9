package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The console's pages, server-rendered (Qute escapes every value); their scripts fill in what changes live. */
@Path("/")
public class PageResource {

    private final Template reviews;
    private final ConsoleUser user;
    private final CsrfTokens csrf;

    PageResource(@Location("reviews.html") Template reviews, ConsoleUser user, CsrfTokens csrf) {
        this.reviews = reviews;
        this.user = user;
        this.csrf = csrf;
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
}
