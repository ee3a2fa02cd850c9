package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.connection.ConnectionCatalog;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The approver's Access requests page: the broker's pending just-in-time requests ({@code GET
 * /v1/access-requests?status=pending}, read with the signed-in user's token), every field as text. An agent wrote the
 * reason; the template escapes it.
 */
@ApplicationScoped
public class AccessRequestViews {

    /** One pending request. */
    public record Request(
            String id,
            String agent,
            String connection,
            String access,
            Map<String, String> tags,
            String duration,
            String reason,
            String requestedBy,
            String createdAt,
            String expiresAt,
            int requiredApprovals,
            String approvals) {}

    /** The requests, or the broker's refusal ({@code status} not 200) and its reason. */
    public record Listing(int status, String detail, List<Request> requests) {}

    private final BrokerClient broker;
    private final ConnectionCatalog connections;

    AccessRequestViews(BrokerClient broker, ConnectionCatalog connections) {
        this.broker = broker;
        this.connections = connections;
    }

    public Uni<Listing> pending(String accessToken) {
        return broker.pendingAccessRequests(accessToken).map(this::listing);
    }

    Listing listing(BrokerClient.Reply reply) {
        if (reply.status() != 200 || !reply.body().isArray()) {
            return new Listing(
                    reply.status() == 200 ? 502 : reply.status(), SessionViews.problem(reply.body()), List.of());
        }
        List<Request> out = new ArrayList<>();
        for (JsonNode r : reply.body()) {
            String connection = text(r.path("connection"));
            out.add(new Request(
                    text(r.path("id")),
                    text(r.path("agent")),
                    connection,
                    text(r.path("access")),
                    new TreeMap<>(connections.tags(connection)),
                    duration(r.path("duration")),
                    text(r.path("reason")),
                    text(r.path("requestedBy")),
                    text(r.path("createdAt")),
                    text(r.path("expiresAt")),
                    r.path("requiredApprovals").asInt(1),
                    approvals(r.path("approvals"), r.path("requiredApprovals").asInt(1))));
        }
        return new Listing(200, "", List.copyOf(out));
    }

    /** "1 of 2 approvals: alice (approve: ok)". */
    static String approvals(JsonNode approvals, int required) {
        List<String> done = new ArrayList<>();
        for (ReviewFeed.Approval a : ReviewFeed.approvals(approvals)) {
            done.add(a.approver() + " (" + a.decision() + (a.comment().isEmpty() ? "" : ": " + a.comment()) + ")");
        }
        return done.size() + " of " + required + " approvals" + (done.isEmpty() ? "" : ": " + String.join(", ", done));
    }

    /**
     * The requested duration, readable: the broker writes a {@code Duration} as ISO-8601 ({@code PT30M}) or as
     * seconds, depending on its JSON settings; both are read.
     */
    static String duration(JsonNode d) {
        Duration value = null;
        if (d.isNumber()) {
            value = Duration.ofMillis(Math.round(d.asDouble() * 1000));
        } else if (d.isTextual()) {
            try {
                value = Duration.parse(d.asText());
            } catch (DateTimeParseException e) {
                return d.asText();
            }
        }
        return value == null ? "" : duration(value);
    }

    /** "2 h 30 min", "45 s". */
    static String duration(Duration value) {
        long minutes = value.toMinutes();
        long h = minutes / 60;
        long m = minutes % 60;
        if (minutes == 0) {
            return value.toSeconds() + " s";
        }
        return (h > 0 ? h + " h" : "") + (h > 0 && m > 0 ? " " : "") + (m > 0 ? m + " min" : "");
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
