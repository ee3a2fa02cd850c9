package dev.portcullis.console.rest;

import dev.portcullis.console.api.PolicyForm;
import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.service.PolicyViews;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Policies page's edit, forwarded to policy-service with the signed-in user's token (policy-service admits only
 * {@code portcullis-admin} and compiles the document before it stores it): the stored answer, or the refusal with
 * each compile error at line:col.
 */
@Path("/api/policies")
public class PolicyResource {

    /** policy-service's policy id rule (its PolicyParser): anything else names no policy. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    /** policy-service's own limit on a document is larger; the page sends no more than this. */
    static final int MAX_DOCUMENT = 1024 * 1024;

    private final PolicyViews views;
    private final ConsoleUser user;

    PolicyResource(PolicyViews views, ConsoleUser user) {
        this.views = views;
        this.user = user;
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> save(@PathParam("id") String id, PolicyForm form) {
        if (!ID.matcher(id).matches()) {
            return Uni.createFrom().item(answer(new PolicyViews.Saved(404, "no policy can have this id", List.of())));
        }
        if (form == null
                || form.raw() == null
                || form.raw().isBlank()
                || form.raw().length() > MAX_DOCUMENT) {
            return Uni.createFrom()
                    .item(answer(new PolicyViews.Saved(400, "the document is empty or longer than 1 MiB", List.of())));
        }
        return views.save(user.accessToken(), id, form.raw()).map(PolicyResource::answer);
    }

    static Response answer(PolicyViews.Saved saved) {
        return Response.status(saved.status()).entity(saved).build();
    }
}
