package dev.portcullis.console.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The console's calls to identity-broker, each with the signed-in user's access token: the broker verifies it
 * ({@code aud} contains {@code identity-broker}) and enforces the roles; the console never decides in its place.
 */
@ApplicationScoped
public class BrokerClient {

    private static final Logger LOG = Logger.getLogger(BrokerClient.class);

    /** What the broker answered: its status and its JSON body (a missing node when it sent none or no JSON). */
    public record Reply(int status, JsonNode body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final BrokerApi api;
    private final ObjectMapper json;

    BrokerClient(@RestClient BrokerApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    public Uni<Reply> pendingReviews(String accessToken) {
        return call(api.reviews("pending", bearer(accessToken)));
    }

    public Uni<Reply> decide(String accessToken, String reviewId, boolean approve, String comment) {
        BrokerApi.DecisionBody body = new BrokerApi.DecisionBody(comment == null || comment.isBlank() ? null : comment);
        return call(
                approve
                        ? api.approve(reviewId, bearer(accessToken), body)
                        : api.deny(reviewId, bearer(accessToken), body));
    }

    /** The pending just-in-time access requests (the broker lists at most 500). */
    public Uni<Reply> pendingAccessRequests(String accessToken) {
        return call(api.accessRequests("pending", 500, bearer(accessToken)));
    }

    public Uni<Reply> decideAccessRequest(String accessToken, String id, boolean approve, String comment) {
        BrokerApi.DecisionBody body = new BrokerApi.DecisionBody(comment == null || comment.isBlank() ? null : comment);
        return call(
                approve
                        ? api.approveAccess(id, bearer(accessToken), body)
                        : api.denyAccess(id, bearer(accessToken), body));
    }

    public Uni<Reply> agents(String accessToken) {
        return call(api.agents(bearer(accessToken)));
    }

    public Uni<Reply> agent(String accessToken, String name) {
        return call(api.agent(name, bearer(accessToken)));
    }

    public Uni<Reply> grants(String accessToken, String agent) {
        return call(api.grants(agent, bearer(accessToken)));
    }

    /** What the broker's audit trail says of one review (requested, each approval or denial, expiry), newest first. */
    public Uni<Reply> reviewAudit(String accessToken, String reviewId) {
        return call(api.audit(REVIEW_TARGET, reviewId, 20, bearer(accessToken)));
    }

    /** The broker's audit target type of a review. */
    static final String REVIEW_TARGET = "review";

    /** How the agent's clients reach the connections it holds active grants on (no token is minted). */
    public Uni<Reply> connectionHints(String accessToken, String agent) {
        return call(api.connectionHints(agent, bearer(accessToken)));
    }

    /** Creates an agent with a client secret; the answer holds the secret, shown once and never logged. */
    public Uni<Reply> createAgent(String accessToken, String name, String team, String owner, String description) {
        return call(api.createAgent(
                bearer(accessToken), new BrokerApi.NewAgent(name, team, blankToNull(owner), blankToNull(description))));
    }

    /** A new client secret; the old one stops working at once. The answer holds the secret. */
    public Uni<Reply> rotateSecret(String accessToken, String name) {
        return call(api.rotateSecret(name, bearer(accessToken)));
    }

    /** Disables the agent: no new tokens, and session-proxy cuts its open sessions ({@code agent.disabled}). */
    public Uni<Reply> disableAgent(String accessToken, String name) {
        return call(api.updateAgent(name, bearer(accessToken), new BrokerApi.AgentUpdate(false)));
    }

    /**
     * A standing grant of {@code access} on {@code connection} to the agent, ending after {@code duration} or at
     * {@code expiresAt} (at most one of them; neither: until revoked). The broker checks the role, the connection and
     * its access levels.
     */
    public Uni<Reply> createGrant(
            String accessToken,
            String agent,
            String connection,
            String access,
            Duration duration,
            OffsetDateTime expiresAt) {
        return call(api.createGrant(
                agent,
                bearer(accessToken),
                new BrokerApi.NewGrant(
                        connection,
                        access,
                        duration == null ? null : duration.toString(),
                        expiresAt == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(expiresAt))));
    }

    /** Revokes the grant at once: its scope leaves the agent's client ({@code grant.revoked}). */
    public Uni<Reply> revokeGrant(String accessToken, String grantId) {
        return call(api.revokeGrant(grantId, bearer(accessToken)));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private Uni<Reply> call(Uni<Response> request) {
        return request.map(this::reply).onFailure().recoverWithItem(e -> {
            // the broker is down or slow: a 502 for the page, the cause in the log (never the token)
            LOG.warnf("identity-broker call failed: %s", e.toString());
            return new Reply(502, MissingNode.getInstance());
        });
    }

    private Reply reply(Response r) {
        try (r) {
            String text = r.hasEntity() ? r.readEntity(String.class) : "";
            JsonNode body = MissingNode.getInstance();
            if (!text.isEmpty()) {
                try {
                    body = json.readTree(text);
                } catch (IOException e) {
                    LOG.debugf("identity-broker answered %d without JSON", r.getStatus());
                }
            }
            return new Reply(r.getStatus(), body);
        }
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }
}
