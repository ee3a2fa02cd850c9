package dev.portcullis.it.journey;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** identity-broker's REST API (identity-broker/README.md), called with real Keycloak tokens. */
final class Broker {

    private final String url;
    private final Keycloak keycloak;

    Broker(String url, Keycloak keycloak) {
        this.url = url + "/v1";
        this.keycloak = keycloak;
    }

    /** An agent created as {@code alice-admin}: the one response that carries its client secret. */
    record CreatedAgent(JsonNode agent, String clientSecret, String tokenEndpoint) {
        @Override
        public String toString() {
            return "CreatedAgent[" + agent.path("name").asText() + "]";
        }
    }

    Http.Response createAgent(String asUser, String name, String team, String owner) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("team", team);
        body.put("owner", owner);
        body.put("description", "journey test agent");
        body.put("auth", Map.of("method", "client_secret"));
        return Http.post(url + "/agents", keycloak.user(asUser), body);
    }

    CreatedAgent createAgent(String name) {
        JsonNode r = createAgent(Keycloak.ADMIN, name, "platform", Keycloak.ADMIN)
                .expect(201)
                .json();
        return new CreatedAgent(
                r.path("agent"),
                r.path("clientSecret").asText(null),
                r.path("tokenEndpoint").asText(null));
    }

    JsonNode grant(String agent, String connection, String access) {
        return Http.post(
                        url + "/agents/" + agent + "/grants",
                        keycloak.user(Keycloak.ADMIN),
                        Map.of("connection", connection, "access", access))
                .expect(201)
                .json();
    }

    Http.Response setEnabled(String agent, boolean enabled) {
        return Http.patch(url + "/agents/" + agent, keycloak.user(Keycloak.ADMIN), Map.of("enabled", enabled));
    }

    Http.Response requestAccess(String agentToken, String connection, String access, String duration, String reason) {
        return Http.post(
                url + "/access-requests",
                agentToken,
                Map.of("connection", connection, "access", access, "duration", duration, "reason", reason));
    }

    Http.Response decideAccess(String approver, String requestId, boolean approve) {
        return Http.post(
                url + "/access-requests/" + requestId + (approve ? "/approve" : "/deny"),
                keycloak.user(approver),
                Map.of("comment", "journey test: " + approver));
    }

    /** {@code POST /v1/tokens} with the agent's own token. */
    Http.Response mint(String agentToken, String connection, String access) {
        return Http.post(url + "/tokens", agentToken, Map.of("connection", connection, "access", access));
    }

    /** A session token for a connection, minted by an agent that is entitled to it. */
    String sessionToken(String agentToken, String connection, String access) {
        return mint(agentToken, connection, access)
                .expect(200)
                .json()
                .path("access_token")
                .asText();
    }

    /** The pending command reviews of one agent on one connection, as an approver sees them. */
    List<JsonNode> pendingReviews(String agent, String connection) {
        List<JsonNode> found = new ArrayList<>();
        Http.get(url + "/reviews?status=pending", keycloak.user(Keycloak.APPROVER))
                .expect(200)
                .json()
                .forEach(r -> {
                    if (agent.equals(r.path("agent").asText())
                            && connection.equals(r.path("connection").asText())) {
                        found.add(r);
                    }
                });
        return found;
    }

    Http.Response review(String asUser, String reviewId) {
        return Http.get(url + "/reviews/" + reviewId, keycloak.user(asUser));
    }

    Http.Response decideReview(String bearer, String reviewId, boolean approve) {
        return Http.post(
                url + "/reviews/" + reviewId + (approve ? "/approve" : "/deny"),
                bearer,
                Map.of("comment", "journey test"));
    }
}
