package dev.portcullis.console.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.api.GrantForm;
import dev.portcullis.console.api.NewAgentForm;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.service.GrantRequest;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Agents page's changes, forwarded to identity-broker with the signed-in user's token (the broker admits only
 * {@code portcullis-admin}): create, rotate the secret, disable, grant access (revoking is {@link GrantResource}).
 * The console adds no role check of its own: whoever posts, the broker decides, and its refusal (403 included) is
 * passed on with its status and reason. A new secret passes through to the page once, in
 * the answer to the admin's own request ({@code Cache-Control: no-store}, rest/HttpEdge); the console neither
 * keeps nor logs it.
 */
@Path("/api/agents")
public class AgentResource {

    /** identity-broker's agent name rule (identity-broker/README.md "API"): anything else names no agent. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    private final BrokerClient broker;
    private final ConsoleUser user;

    AgentResource(BrokerClient broker, ConsoleUser user) {
        this.broker = broker;
        this.user = user;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> create(NewAgentForm form) {
        if (form == null) {
            return Uni.createFrom().item(refusal(400, "a JSON body {name, team, owner, description} is required"));
        }
        return broker.createAgent(user.accessToken(), form.name(), form.team(), form.owner(), form.description())
                .map(AgentResource::secretAnswer);
    }

    @POST
    @Path("{name}/secret")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> rotate(@PathParam("name") String name) {
        if (!NAME.matcher(name).matches()) {
            return Uni.createFrom().item(refusal(404, "no such agent"));
        }
        return broker.rotateSecret(user.accessToken(), name).map(AgentResource::secretAnswer);
    }

    /** Disables the agent (the broker's {@code PATCH enabled:false}): no new tokens, its open sessions are cut. */
    @POST
    @Path("{name}/disable")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> disable(@PathParam("name") String name) {
        if (!NAME.matcher(name).matches()) {
            return Uni.createFrom().item(refusal(404, "no such agent"));
        }
        return broker.disableAgent(user.accessToken(), name).map(reply -> {
            if (!reply.ok()) {
                return refusal(reply);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", reply.body().path("name").asText(name));
            body.put("enabled", reply.body().path("enabled").asBoolean(true));
            return Response.ok(body).build();
        });
    }

    /**
     * A standing grant for the agent ({@code POST /v1/agents/{name}/grants}). The form is checked first
     * ({@link GrantRequest}): what the broker would refuse for its shape is named (400) and not sent.
     */
    @POST
    @Path("{name}/grants")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> grant(@PathParam("name") String name, GrantForm form) {
        if (!NAME.matcher(name).matches()) {
            return Uni.createFrom().item(refusal(404, "no such agent"));
        }
        if (form == null) {
            return Uni.createFrom()
                    .item(refusal(400, "a JSON body {connection, access, duration?, expiresAt?} is required"));
        }
        GrantRequest g = GrantRequest.of(form.connection(), form.access(), form.duration(), form.expiresAt());
        if (!g.valid()) {
            return Uni.createFrom().item(refusal(400, "not sent: " + String.join("; ", g.errors())));
        }
        return broker.createGrant(user.accessToken(), name, g.connection(), g.access(), g.duration(), g.expiresAt())
                .map(AgentResource::grantAnswer);
    }

    /** The grant as the broker answered it (id, connection, access, status, end); or the broker's refusal. */
    static Response grantAnswer(BrokerClient.Reply reply) {
        if (!reply.ok()) {
            return refusal(reply);
        }
        JsonNode b = reply.body();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", b.path("id").asText(""));
        body.put("connection", b.path("connection").asText(""));
        body.put("access", b.path("access").asText(""));
        body.put("status", b.path("status").asText(""));
        body.put(
                "expires_at",
                b.path("expiresAt").isTextual() ? b.path("expiresAt").asText() : null);
        return Response.ok(body).build();
    }

    /** The agent's name, its new secret and the token endpoint; or the broker's refusal. */
    static Response secretAnswer(BrokerClient.Reply reply) {
        if (!reply.ok()) {
            return refusal(reply);
        }
        JsonNode b = reply.body();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", b.path("agent").path("name").asText(""));
        body.put("client_secret", b.path("clientSecret").asText(""));
        body.put("token_endpoint", b.path("tokenEndpoint").asText(""));
        return Response.ok(body).build();
    }

    static Response refusal(BrokerClient.Reply reply) {
        StringBuilder detail = new StringBuilder(reply.body().path("detail").asText("identity-broker refused"));
        for (JsonNode e : reply.body().path("errors")) {
            detail.append("; ")
                    .append(e.path("field").asText(""))
                    .append(": ")
                    .append(e.path("message").asText(""));
        }
        return refusal(reply.status(), detail.toString());
    }

    static Response refusal(int status, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("detail", detail);
        return Response.status(status).entity(body).build();
    }
}
