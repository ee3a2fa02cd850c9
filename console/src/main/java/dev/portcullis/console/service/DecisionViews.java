package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.RecorderClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The auditor's Decisions page: policy-service's decision logs as the recorder stores them ({@code GET
 * /v1/decisions}), newest first, every field as text. The statement in a log was written by an agent; the template
 * escapes it.
 */
@ApplicationScoped
public class DecisionViews {

    public static final int PAGE_SIZE = 50;
    /** Only an id by recorder-service's rule becomes a link (no '/', so it names a session page and nothing else). */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    /** One decision; {@code sessionLink}: the session id can link to its page. */
    public record Row(
            String id,
            String decidedAt,
            String agent,
            String connection,
            String sessionId,
            boolean sessionLink,
            String protocol,
            String action,
            List<String> rules,
            List<String> reasons,
            String statement,
            String policyVersion) {}

    public record Listing(int status, String detail, List<Row> rows, long total) {}

    private final RecorderClient recorder;

    DecisionViews(RecorderClient recorder) {
        this.recorder = recorder;
    }

    public Uni<Listing> list(String accessToken, DecisionQuery q) {
        RecorderClient.DecisionSearch search = new RecorderClient.DecisionSearch(
                q.agent(), q.connection(), q.session(), q.action(), q.fromInstant(), q.toInstant());
        return recorder.decisions(accessToken, search, q.page(), PAGE_SIZE).map(DecisionViews::listing);
    }

    static Listing listing(BrokerClient.Reply reply) {
        JsonNode body = reply.body();
        int status = reply.status();
        if (status != 200 || !body.path("items").isArray()) {
            return new Listing(status == 200 ? 502 : status, SessionViews.problem(body), List.of(), 0);
        }
        List<Row> rows = new ArrayList<>();
        for (JsonNode d : body.path("items")) {
            rows.add(row(d));
        }
        return new Listing(200, "", List.copyOf(rows), body.path("total").asLong());
    }

    static Row row(JsonNode d) {
        JsonNode log = d.path("log");
        return new Row(
                text(d.path("decision_id")),
                text(d.path("decided_at")),
                text(d.path("agent")),
                text(d.path("connection")),
                text(d.path("session_id")),
                SESSION_ID.matcher(text(d.path("session_id"))).matches(),
                text(d.path("protocol")),
                text(d.path("action")),
                strings(d.path("rules")),
                strings(log.path("result").path("reasons")),
                ReviewFeed.statement(log.path("input").path("request")),
                text(d.path("policy_version")));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
