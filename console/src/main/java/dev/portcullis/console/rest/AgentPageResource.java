package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;
import dev.portcullis.console.service.AgentViews;
import dev.portcullis.console.service.ConnectionViews;
import dev.portcullis.console.service.GrantRequest;
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

/**
 * The Agents pages, server-rendered from identity-broker's answers; their script makes the changes. The agent page's
 * *Grant access* form offers the connections of the console's connections file, each with its access levels.
 */
@Path("/agents")
public class AgentPageResource {

    private final Template agents;
    private final Template agent;
    private final ConsoleUser user;
    private final CsrfTokens csrf;
    private final AgentViews views;
    private final ConnectionViews connections;

    AgentPageResource(
            @Location("agents.html") Template agents,
            @Location("agent.html") Template agent,
            ConsoleUser user,
            CsrfTokens csrf,
            AgentViews views,
            ConnectionViews connections) {
        this.agents = agents;
        this.agent = agent;
        this.user = user;
        this.csrf = csrf;
        this.views = views;
        this.connections = connections;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> list() {
        Viewer viewer = Viewer.of(user, csrf);
        return views.list(user.accessToken())
                .map(listing -> agents.data("viewer", viewer).data("listing", listing));
    }

    @GET
    @Path("{name}")
    @Produces(MediaType.TEXT_HTML)
    public Uni<TemplateInstance> agent(@PathParam("name") String name) {
        if (!AgentResource.NAME.matcher(name).matches()) {
            throw new NotFoundException();
        }
        Viewer viewer = Viewer.of(user, csrf);
        return views.detail(user.accessToken(), name)
                .map(detail -> agent.data("viewer", viewer)
                        .data("detail", detail)
                        .data("connections", connections.all())
                        .data("accessLevels", GrantRequest.ACCESS_LEVELS));
    }
}
