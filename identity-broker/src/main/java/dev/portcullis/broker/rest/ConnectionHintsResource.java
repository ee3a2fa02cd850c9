package dev.portcullis.broker.rest;

import dev.portcullis.broker.api.AgentName;
import dev.portcullis.broker.api.ProblemException;
import dev.portcullis.broker.connection.Connection;
import dev.portcullis.broker.connection.ConnectionCatalog;
import dev.portcullis.broker.entity.Grant;
import dev.portcullis.broker.security.Caller;
import dev.portcullis.broker.service.AgentService;
import dev.portcullis.broker.service.ConnectionHints;
import dev.portcullis.broker.service.GrantService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How an agent reaches each connection it holds an active grant on: the hints a minted token's answer carries
 * ({@link ConnectionHints}), with the access levels granted, for an admin's or approver's view of the agent (the
 * console's agent page) and for the agent itself. No token is minted and nothing secret is returned; a grant whose
 * connection has left the connections file is left out.
 */
@Path("/v1/agents/{name}/connection-hints")
public class ConnectionHintsResource {

    private final GrantService grants;
    private final AgentService agents;
    private final ConnectionCatalog connections;
    private final ConnectionHints hints;
    private final Caller caller;

    public ConnectionHintsResource(
            GrantService grants,
            AgentService agents,
            ConnectionCatalog connections,
            ConnectionHints hints,
            Caller caller) {
        this.grants = grants;
        this.agents = agents;
        this.connections = connections;
        this.hints = hints;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Caller.ADMIN, Caller.APPROVER, Caller.AGENT})
    public Uni<List<Map<String, Object>>> list(@PathParam("name") @AgentName String name) {
        if (!caller.hasRole(Caller.ADMIN) && !caller.hasRole(Caller.APPROVER) && !name.equals(caller.agentName())) {
            throw ProblemException.forbidden("an agent can only read its own connection hints");
        }
        return agents.require(name)
                .flatMap(agent -> grants.forAgent(agent.id, true).map(active -> of(active, agent.name)));
    }

    private List<Map<String, Object>> of(List<Grant> active, String agent) {
        Map<String, TreeSet<String>> levels = new TreeMap<>();
        for (Grant g : active) {
            levels.computeIfAbsent(g.connection, c -> new TreeSet<>()).add(g.access);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        levels.forEach((name, access) -> {
            Optional<Connection> c = connections.find(name);
            if (c.isPresent()) {
                Map<String, Object> h = new LinkedHashMap<>(hints.of(c.get(), agent));
                h.put("access", List.copyOf(access));
                out.add(h);
            }
        });
        return out;
    }
}
