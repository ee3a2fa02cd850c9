package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
import dev.portcullis.console.service.PolicyViews;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The Policies pages, server-rendered from policy-service's answers; their script saves an edit. */
@Path("/policies")
public class PolicyPageResource {

    private final Template policies;
    private final Template policy;
    private final ConsoleUser user;
    private final CsrfTokens csrf;
    private final PolicyViews views;

    PolicyPageResource(
            @Location("policies.html") Template policies,
            @Location("policy.html") Template policy,
            ConsoleUser user,
            CsrfTokens csrf,
            PolicyViews views) {
        this.policies = policies;
        this.policy = policy;
        this.user = user;
        this.csrf = csrf;
        this.views = views;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> list() {
        Viewer viewer = Viewer.of(user, csrf);
        return views.list(user.accessToken())
                .map(listing -> policies.data("viewer", viewer).data("listing", listing));
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> policy(@PathParam("id") String id) {
        if (!PolicyResource.ID.matcher(id).matches()) {
            throw new NotFoundException();
        }
        Viewer viewer = Viewer.of(user, csrf);
        return views.detail(user.accessToken(), id)
                .map(detail -> policy.data("viewer", viewer).data("id", id).data("detail", detail));
    }
}
