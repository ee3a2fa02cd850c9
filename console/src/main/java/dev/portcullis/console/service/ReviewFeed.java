package dev.portcullis.console.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.config.ConsoleConfig;
import dev.portcullis.console.connection.ConnectionCatalog;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pending reviews as the Reviews page shows them: the broker's list, read with the signed-in user's token, turned
 * into plain-text fields (the page renders every one as text) and pushed only when it changed.
 */
@ApplicationScoped
public class ReviewFeed {

    /** One approver's decision so far (two-person connections show the first before the review is decided). */
    public record Approval(String approver, String decision, String comment) {}

    /**
     * One request of the session before the held one, as the proxy recorded it (masked): its seq, its text, and the
     * decision taken on it ({@code ""}: none of its own).
     */
    public record HistoryEntry(long seq, String request, String action) {}

    /**
     * A pending review, every field text; {@code statement} is the held request as the proxy recorded it (masked),
     * {@code rules} the policy's rule ids beside its {@code reasons}, {@code history} the session so far, oldest first
     * (null: the review came without it, from a proxy before it or one that keeps none; empty: nothing before the held
     * request).
     */
    public record Item(
            String id,
            @JsonProperty("session_id") String sessionId,
            String agent,
            String connection,
            Map<String, String> tags,
            String protocol,
            String statement,
            List<String> reasons,
            List<String> rules,
            List<HistoryEntry> history,
            @JsonProperty("requested_at") String requestedAt,
            @JsonProperty("expires_at") String expiresAt,
            @JsonProperty("required_approvals") int requiredApprovals,
            List<Approval> approvals) {}

    /**
     * What the page is told: the reviews, or the broker's status when it refused ({@code 401}: the token expired,
     * the page reconnects; {@code 403}: the user may not see reviews).
     */
    public record Snapshot(int status, List<Item> reviews) {}

    private final BrokerClient broker;
    private final ConnectionCatalog connections;
    private final ConsoleConfig.Console config;

    ReviewFeed(BrokerClient broker, ConnectionCatalog connections, ConsoleConfig config) {
        this.broker = broker;
        this.connections = connections;
        this.config = config.console();
    }

    /** The pending reviews now. */
    public Uni<Snapshot> pending(String accessToken) {
        return broker.pendingReviews(accessToken).map(this::snapshot);
    }

    /**
     * The pending reviews, asked every {@code poll-interval} for {@code stream-max-age}: the first at once, then each
     * that differs from the one before. The stream's reader ends it after a refusal, so a page whose token expired
     * reconnects through the OIDC session, which refreshes it.
     */
    public Multi<Snapshot> live(String accessToken) {
        return Multi.createFrom()
                .ticks()
                .startingAfter(Duration.ofMillis(1)) // at once (Mutiny wants a delay above zero)
                .every(config.pollInterval())
                .onOverflow()
                .drop()
                .select()
                .first(config.streamMaxAge())
                .onItem()
                .transformToUniAndConcatenate(t -> pending(accessToken))
                .skip()
                .repetitions();
    }

    Snapshot snapshot(BrokerClient.Reply reply) {
        if (reply.status() != 200 || !reply.body().isArray()) {
            return new Snapshot(reply.status() == 200 ? 502 : reply.status(), List.of());
        }
        List<Item> items = new ArrayList<>();
        for (JsonNode r : reply.body()) {
            items.add(item(r));
        }
        return new Snapshot(200, List.copyOf(items));
    }

    private Item item(JsonNode r) {
        JsonNode request = r.path("request");
        List<Approval> approvals = approvals(r.path("approvals"));
        List<String> reasons = texts(r.path("reasons"));
        String connection = text(r.path("connection"));
        return new Item(
                text(r.path("id")),
                text(r.path("session_id")),
                text(r.path("agent")),
                connection,
                new TreeMap<>(connections.tags(connection)),
                text(request.path("protocol")),
                statement(request),
                reasons,
                texts(r.path("rules")),
                history(r.path("history")),
                text(r.path("requested_at")),
                text(r.path("expires_at")),
                r.path("required_approvals").asInt(1),
                List.copyOf(approvals));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(n.asText());
        }
        return List.copyOf(out);
    }

    /** The session so far as the broker stored it from the proxy; null when the review has none. */
    static List<HistoryEntry> history(JsonNode history) {
        if (!history.isArray()) {
            return null;
        }
        List<HistoryEntry> out = new ArrayList<>();
        for (JsonNode h : history) {
            out.add(new HistoryEntry(h.path("seq").asLong(), text(h.path("request")), text(h.path("action"))));
        }
        return List.copyOf(out);
    }

    /** The broker's approvals so far, of a review or an access request (the same shape in both). */
    static List<Approval> approvals(JsonNode approvals) {
        List<Approval> out = new ArrayList<>();
        for (JsonNode a : approvals) {
            out.add(new Approval(text(a.path("approver")), text(a.path("decision")), text(a.path("comment"))));
        }
        return List.copyOf(out);
    }

    /**
     * What the agent asked for, as text: the SQL ({@code text}), the shell command ({@code command}), the HTTP method
     * and path, or else the recorded request's JSON.
     */
    static String statement(JsonNode request) {
        if (request.path("text").isTextual()) {
            return request.path("text").asText();
        }
        if (request.path("command").isTextual()) {
            return request.path("command").asText();
        }
        if (request.path("method").isTextual() && request.path("path").isTextual()) {
            return request.path("method").asText() + " " + request.path("path").asText();
        }
        return request.isMissingNode() ? "" : request.toString();
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
