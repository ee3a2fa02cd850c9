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

    /** The agents, or the broker's refusal and its reason. */
    public record Listing(int status, String detail, List<Agent> agents) {}

    /** One agent and its grants; {@code grantsStatus} the broker's answer for the grants. */
    public record Detail(int status, String detail, Agent agent, int grantsStatus, List<Grant> grants) {}

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
                    .map(g -> new Detail(200, "", agent(a.body()), g.status(), grants(g)));
        });
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
