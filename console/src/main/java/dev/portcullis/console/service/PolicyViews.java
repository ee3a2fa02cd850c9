package dev.portcullis.console.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.PolicyClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin's Policies pages: policy-service's documents ({@code GET /v1/policies}), one document with its version
 * history and each change as a line diff ({@code GET /v1/policies/{id}/history}), and the compile errors of a
 * rejected edit at line:col. Read with the signed-in user's token; every field is text.
 */
@ApplicationScoped
public class PolicyViews {

    public record Row(String id, long version, String updatedAt, String updatedBy) {}

    public record Listing(int status, String detail, List<Row> policies) {}

    /** One change of the trail: who, when, and what it changed ({@code diff} empty when {@code tooLong}). */
    public record Change(
            long sequence,
            String operation,
            long version,
            String changedBy,
            String changedAt,
            List<LineDiff.Line> diff,
            boolean tooLong) {}

    /**
     * A document, its text and its history, newest change first. The text is {@code document}, not {@code raw}: in a
     * Quarkus template {@code {detail.raw}} is Qute's raw extension (the whole view, unescaped), never this field.
     */
    public record Detail(
            int status, String detail, Row policy, String document, int historyStatus, List<Change> history) {}

    /** One compile problem: {@code at} is {@code line:col} (or the line, or empty when policy-service gave none). */
    public record CompileError(String at, String rule, String message) {}

    /** The answer to an edit: stored, or refused with policy-service's reason and its compile errors. */
    public record Saved(int status, String detail, List<CompileError> errors) {}

    private final PolicyClient policies;

    PolicyViews(PolicyClient policies) {
        this.policies = policies;
    }

    public Uni<Listing> list(String accessToken) {
        return policies.list(accessToken).map(PolicyViews::listing);
    }

    public Uni<Detail> detail(String accessToken, String id) {
        return policies.get(accessToken, id).flatMap(p -> {
            if (p.status() != 200 || !p.body().path("result").isObject()) {
                return Uni.createFrom()
                        .item(new Detail(
                                p.status() == 200 ? 502 : p.status(), message(p.body()), null, "", 0, List.of()));
            }
            JsonNode doc = p.body().path("result");
            String raw = text(doc.path("raw"));
            return policies.history(accessToken, id)
                    .map(h -> new Detail(200, "", row(doc), raw, h.status(), history(h, raw)));
        });
    }

    public Uni<Saved> save(String accessToken, String id, String document) {
        return policies.put(accessToken, id, document).map(PolicyViews::saved);
    }

    static Listing listing(BrokerClient.Reply reply) {
        if (reply.status() != 200 || !reply.body().path("result").isArray()) {
            return new Listing(reply.status() == 200 ? 502 : reply.status(), message(reply.body()), List.of());
        }
        List<Row> rows = new ArrayList<>();
        reply.body().path("result").forEach(p -> rows.add(row(p)));
        return new Listing(200, "", List.copyOf(rows));
    }

    /**
     * The trail, newest first, each change diffed against the text after it: the next change's previous text, or
     * the current text for the latest.
     */
    static List<Change> history(BrokerClient.Reply reply, String current) {
        if (reply.status() != 200 || !reply.body().path("result").isArray()) {
            return List.of();
        }
        List<JsonNode> changes = new ArrayList<>();
        reply.body().path("result").forEach(changes::add);
        changes.sort((x, y) ->
                Long.compare(x.path("sequence").asLong(), y.path("sequence").asLong()));
        List<Change> out = new ArrayList<>();
        for (int i = changes.size() - 1; i >= 0; i--) {
            JsonNode c = changes.get(i);
            String before = text(c.path("previous_raw"));
            String after = i + 1 < changes.size() ? text(changes.get(i + 1).path("previous_raw")) : current;
            boolean tooLong = LineDiff.tooLong(before, after);
            out.add(new Change(
                    c.path("sequence").asLong(),
                    text(c.path("operation")),
                    c.path("version").asLong(),
                    text(c.path("changed_by")),
                    text(c.path("changed_at")),
                    tooLong ? List.of() : LineDiff.of(before, after),
                    tooLong));
        }
        return List.copyOf(out);
    }

    static Saved saved(BrokerClient.Reply reply) {
        if (reply.ok()) {
            return new Saved(200, "", List.of());
        }
        List<CompileError> errors = new ArrayList<>();
        for (JsonNode e : reply.body().path("errors")) {
            JsonNode loc = e.path("location");
            String at = "";
            if (loc.path("row").isNumber()) {
                at = loc.path("row").asText()
                        + (loc.path("col").isNumber() ? ":" + loc.path("col").asText() : "");
            }
            errors.add(new CompileError(at, text(loc.path("rule")), text(e.path("message"))));
        }
        return new Saved(reply.status(), message(reply.body()), List.copyOf(errors));
    }

    private static Row row(JsonNode p) {
        return new Row(
                text(p.path("id")), p.path("version").asLong(), text(p.path("updated_at")), text(p.path("updated_by")));
    }

    /** policy-service's errors are OPA's {@code {code, message, errors}}. */
    private static String message(JsonNode body) {
        return text(body.path("message"));
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }
}
