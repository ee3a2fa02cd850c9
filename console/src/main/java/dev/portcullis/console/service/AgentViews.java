package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's Agents pages: the broker's agents ({@code GET /v1/agents}) and one agent with its grants ({@code GET
 * /v1/agents/{name}/grants}), read with the signed-in user's token, every field as text. An admin typed the team,
 * owner and description, but any of them may hold markup; the templates escape them.
 */
@ApplicationScoped
public class AgentViews {

    public record Agent(
            String name,
            String team,
            String owner,
            String description,
            String authMethod,
            boolean enabled,
            String createdBy,
            String createdAt) {}

    public record Grant(
            String id,
            String connection,
            String access,
            String kind,
            String status,
            String startsAt,
            String expiresAt,
            String createdBy) {}

    /**
     * How the agent reaches one connection it holds an active grant on, as the broker's {@code GET
     * /v1/agents/{name}/connection-hints} says (the hints a minted token carries): each client's command line, and
     * what the client gives as its password. Text; never a secret.
     */
    public record Hint(String connection, String type, String access, List<String> commands, String password) {}

    /** The agents, or the broker's refusal and its reason. */
    public record Listing(int status, String detail, List<Agent> agents) {}

    /**
     * One agent, its grants and how it connects; {@code grantsStatus} the broker's answer for the grants, {@code
     * hintsStatus} for the hints.
     */
    public record Detail(
            int status,
            String detail,
            Agent agent,
            int grantsStatus,
            List<Grant> grants,
            int hintsStatus,
            List<Hint> hints) {

        /** Without hints (their status 0: not asked). */
        public Detail(int status, String detail, Agent agent, int grantsStatus, List<Grant> grants) {
            this(status, detail, agent, grantsStatus, grants, 0, List.of());
        }
    }

    /** The hint fields that are command lines or addresses, in the order they are shown. */
    static final List<String> HINT_COMMANDS = List.of("psql", "jdbc_url", "ssh", "server", "kubectl", "curl");

    private final BrokerClient broker;

    AgentViews(BrokerClient broker) {
        this.broker = broker;
    }

    public Uni<Listing> list(String accessToken) {
        return broker.agents(accessToken).map(AgentViews::listing);
    }

    public Uni<Detail> detail(String accessToken, String name) {
        return broker.agent(accessToken, name).flatMap(a -> {
            if (a.status() != 200 || !a.body().isObject()) {
                return Uni.createFrom()
                        .item(new Detail(
                                a.status() == 200 ? 502 : a.status(),
                                SessionViews.problem(a.body()),
                                null,
                                0,
                                List.of()));
            }
            return broker.grants(accessToken, name)
                    .flatMap(g -> broker.connectionHints(accessToken, name)
                            .map(h ->
                                    new Detail(200, "", agent(a.body()), g.status(), grants(g), h.status(), hints(h))));
        });
    }

    static List<Hint> hints(BrokerClient.Reply reply) {
        if (reply.status() != 200 || !reply.body().isArray()) {
            return List.of();
        }
        List<Hint> out = new ArrayList<>();
        for (JsonNode h : reply.body()) {
            List<String> commands = new ArrayList<>();
            for (String field : HINT_COMMANDS) {
                if (h.path(field).isTextual()) {
                    commands.add(h.path(field).asText());
                }
            }
            List<String> access = new ArrayList<>();
            h.path("access").forEach(l -> access.add(l.asText()));
            out.add(new Hint(
                    h.path("name").asText(""),
                    h.path("type").asText(""),
                    String.join(", ", access),
                    List.copyOf(commands),
                    h.path("password").isTextual()
                            ? h.path("password").asText()
                            : h.path("token").asText("")));
        }
        return List.copyOf(out);
    }

    static Listing listing(BrokerClient.Reply reply) {
        if (reply.status() != 200 || !reply.body().isArray()) {
            return new Listing(
                    reply.status() == 200 ? 502 : reply.status(), SessionViews.problem(reply.body()), List.of());
        }
        List<Agent> out = new ArrayList<>();
        reply.body().forEach(a -> out.add(agent(a)));
        return new Listing(200, "", List.copyOf(out));
    }

    static Agent agent(JsonNode a) {
        return new Agent(
                text(a.path("name")),
                text(a.path("team")),
                text(a.path("owner")),
                text(a.path("description")),
                text(a.path("authMethod")),
                a.path("enabled").asBoolean(false),
                text(a.path("createdBy")),
                text(a.path("createdAt")));
    }

    static List<Grant> grants(BrokerClient.Reply reply) {
        if (reply.status() != 200) {
            return List.of();
        }
        List<Grant> out = new ArrayList<>();
        for (JsonNode g : reply.body()) {
            out.add(new Grant(
                    text(g.path("id")),
                    text(g.path("connection")),
                    text(g.path("access")),
                    text(g.path("kind")),
                    text(g.path("status")),
                    text(g.path("startsAt")),
                    text(g.path("expiresAt")),
                    text(g.path("createdBy"))));
        }
        return List.copyOf(out);
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
