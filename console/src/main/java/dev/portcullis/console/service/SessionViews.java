package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.RecorderClient;
import dev.portcullis.contracts.events.SessionEventFields;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The auditor's Sessions pages: the recorder's session list and one session's timeline, every field as text (an
 * agent chose its statements and its output; the templates escape them).
 */
@ApplicationScoped
public class SessionViews {

    /** One row of the list. */
    public record Row(
            String id,
            String agent,
            String connection,
            String protocol,
            String startedAt,
            String status,
            long requests,
            long denials,
            long reviews) {}

    /** The list, or the recorder's refusal ({@code status} not 200). */
    public record Listing(int status, String detail, List<Row> rows, long total) {}

    /** One recorded event: its seq, time, type and what it says, as text. */
    public record Entry(long seq, String time, String type, String summary) {}

    /**
     * One step of a review of the session's, from identity-broker's audit trail: who ({@code actor}: the agent that
     * was held, an approver, or {@code system} for an expiry) did what ({@code action}: the event type) and when, with
     * the approver's comment.
     */
    public record ReviewStep(String reviewId, String at, String actor, String action, String comment) {}

    /**
     * A session's metadata and its timeline; {@code timelineStatus} 409 while it is still being recorded. {@code
     * hasCast}: the recorder keeps a terminal recording (SSH, {@code kubectl exec}) the page can replay. {@code
     * reviews}: who decided the session's reviews ({@code reviewsStatus}: the broker's answer, 0 when the session had
     * none).
     */
    public record Detail(
            int status,
            Row session,
            String endedAt,
            String recordingSha256,
            String chainHead,
            boolean hasCast,
            int timelineStatus,
            List<Entry> timeline,
            int reviewsStatus,
            List<ReviewStep> reviews) {

        public Detail(
                int status,
                Row session,
                String endedAt,
                String recordingSha256,
                String chainHead,
                boolean hasCast,
                int timelineStatus,
                List<Entry> timeline) {
            this(status, session, endedAt, recordingSha256, chainHead, hasCast, timelineStatus, timeline, 0, List.of());
        }
    }

    /** At most this many of a session's reviews are looked up at the broker (each one call). */
    static final int MAX_REVIEWS = 20;

    /** Sessions a page of the list shows. */
    public static final int PAGE_SIZE = 50;

    private final RecorderClient recorder;
    private final BrokerClient broker;

    SessionViews(RecorderClient recorder, BrokerClient broker) {
        this.recorder = recorder;
        this.broker = broker;
    }

    /** The recorder's answer to {@code q}; a query with errors is not sent (the page explains it instead). */
    public Uni<Listing> list(String accessToken, SessionQuery q) {
        if (!q.valid()) {
            return Uni.createFrom().item(new Listing(400, String.join("; ", q.errors()), List.of(), 0));
        }
        RecorderClient.Search search = new RecorderClient.Search(
                q.agent(),
                q.connection(),
                q.protocol(),
                q.status(),
                q.fromInstant(),
                q.toInstant(),
                q.denied(),
                q.reviewed());
        return recorder.sessions(accessToken, search, q.page(), PAGE_SIZE).map(reply -> {
            if (reply.status() != 200) {
                return new Listing(reply.status(), problem(reply.body()), List.of(), 0);
            }
            List<Row> rows = new ArrayList<>();
            for (JsonNode s : reply.body().path("items")) {
                rows.add(row(s));
            }
            return new Listing(
                    200, "", List.copyOf(rows), reply.body().path("total").asLong());
        });
    }

    public Uni<Detail> detail(String accessToken, String id) {
        return recorder.session(accessToken, id).flatMap(meta -> {
            if (meta.status() != 200) {
                return Uni.createFrom().item(new Detail(meta.status(), null, "", "", "", false, 0, List.of()));
            }
            return recorder.recording(accessToken, id)
                    .flatMap(rec -> reviewSteps(accessToken, reviewIds(rec.lines()))
                            .map(steps -> new Detail(
                                    200,
                                    row(meta.body()),
                                    text(meta.body().path("ended_at")),
                                    meta.body().path("recording").path("sha256").asText(""),
                                    meta.body()
                                            .path("recording")
                                            .path("chain_head")
                                            .asText(""),
                                    meta.body().path("cast").isObject(),
                                    rec.status(),
                                    timeline(rec.lines()),
                                    steps.status(),
                                    steps.steps())));
        });
    }

    record Steps(int status, List<ReviewStep> steps) {}

    /** The reviews the recording names ({@code review_id} of its events), first seen first, at most {@link #MAX_REVIEWS}. */
    static List<String> reviewIds(List<JsonNode> lines) {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode line : lines) {
            JsonNode event = line.has("event") ? line.path("event") : line;
            JsonNode data = event.path("data");
            for (JsonNode id : List.of(
                    data.path("review_id"),
                    data.path(SessionEventFields.DECISION).path("review_id"))) {
                if (id.isTextual() && !id.asText().isBlank() && ids.size() < MAX_REVIEWS) {
                    ids.add(id.asText());
                }
            }
        }
        return List.copyOf(ids);
    }

    /**
     * Each review's steps from the broker's audit trail, oldest first; the first refusal's status when the broker
     * refuses (an approver's token is not an auditor's), 0 when there is nothing to ask.
     */
    private Uni<Steps> reviewSteps(String accessToken, List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(new Steps(0, List.of()));
        }
        List<Uni<BrokerClient.Reply>> calls = new ArrayList<>();
        for (String id : ids) {
            calls.add(broker.reviewAudit(accessToken, id));
        }
        return Uni.join().all(calls).andFailFast().map(SessionViews::steps);
    }

    static Steps steps(List<BrokerClient.Reply> replies) {
        List<ReviewStep> out = new ArrayList<>();
        for (BrokerClient.Reply r : replies) {
            if (r.status() != 200 || !r.body().isArray()) {
                return new Steps(r.status() == 200 ? 502 : r.status(), List.of());
            }
            List<ReviewStep> one = new ArrayList<>();
            for (JsonNode e : r.body()) {
                one.add(new ReviewStep(
                        e.path("targetId").asText(""),
                        e.path("at").asText(""),
                        e.path("actor").asText(""),
                        e.path("action").asText(""),
                        comment(e.path("details"))));
            }
            Collections.reverse(one); // the broker answers newest first
            out.addAll(one);
        }
        return new Steps(200, List.copyOf(out));
    }

    /** The comment in an audit entry's details (a JSON text, or an object), or empty. */
    private static String comment(JsonNode details) {
        JsonNode d = details;
        if (details.isTextual()) {
            try {
                d = JSON.readTree(details.asText());
            } catch (IOException e) {
                return "";
            }
        }
        return d.path("comment").isTextual() ? d.path("comment").asText() : "";
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    /** What the recorder said when it refused (RFC 9457 {@code detail} and each field's error), as text. */
    static String problem(JsonNode body) {
        List<String> parts = new ArrayList<>();
        if (body.path("detail").isTextual()) {
            parts.add(body.path("detail").asText());
        }
        for (JsonNode e : body.path("errors")) {
            parts.add(e.path("field").asText("") + ": " + e.path("message").asText(""));
        }
        return String.join("; ", parts);
    }

    static Row row(JsonNode s) {
        return new Row(
                s.path("session_id").asText(s.path("id").asText("")),
                s.path("agent").asText(""),
                s.path("connection").asText(""),
                s.path("protocol").asText(""),
                s.path("started_at").asText(""),
                s.path("status").asText(""),
                s.path("requests").asLong(),
                s.path("denials").asLong(),
                s.path("reviews").asLong());
    }

    static List<Entry> timeline(List<JsonNode> lines) {
        List<Entry> entries = new ArrayList<>();
        for (JsonNode line : lines) {
            JsonNode event = line.has("event") ? line.path("event") : line;
            if (!event.has("type")) {
                continue; // the seal and signature lines
            }
            entries.add(new Entry(
                    event.path("seq").asLong(line.path("seq").asLong()),
                    event.path("time").asText(""),
                    event.path("type").asText(),
                    summary(event.path("data"))));
        }
        return List.copyOf(entries);
    }

    /** What an event says: the statement or command, the decision and its reason, the output's size. */
    static String summary(JsonNode data) {
        List<String> parts = new ArrayList<>();
        String statement = ReviewFeed.statement(data);
        if (data.has("text") || data.has("command") || (data.has("method") && data.has("path"))) {
            parts.add(statement);
        }
        for (String key :
                List.of("action", "state", "reason", "rule", "cached", "review_id", "rows", "status", "bytes")) {
            JsonNode v = data.path(key);
            if (!v.isMissingNode() && !v.isNull() && !v.isContainerNode()) {
                parts.add(key + "=" + v.asText());
            }
        }
        // v2 PostgreSQL: the decision rides on its request (ADR 0036)
        JsonNode decision = data.path(SessionEventFields.DECISION);
        if (decision.isObject()) {
            for (String key : List.of("action", "state", "cached", "review_id")) {
                JsonNode v = decision.path(key);
                if (!v.isMissingNode() && !v.isNull() && !v.isContainerNode()) {
                    parts.add(key + "=" + v.asText());
                }
            }
            joined(parts, "rules", decision.path("rules"));
            joined(parts, "reasons", decision.path("reasons"));
        }
        JsonNode reasons = data.path("reasons");
        if (reasons.isArray() && !reasons.isEmpty()) {
            List<String> r = new ArrayList<>();
            reasons.forEach(x -> r.add(x.asText()));
            parts.add("reasons=" + String.join("; ", r));
        }
        return String.join("  ", parts);
    }

    private static void joined(List<String> parts, String key, JsonNode list) {
        if (list.isArray() && !list.isEmpty()) {
            List<String> r = new ArrayList<>();
            list.forEach(x -> r.add(x.asText()));
            parts.add(key + "=" + String.join("; ", r));
        }
    }
}
