package dev.portcullis.recorder.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.Rejection;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads policy-service decision logs (OPA decision-log shape: {@code decision_id}, {@code timestamp},
 * {@code input}, {@code result}, {@code policy_version}), bare or CloudEvents-wrapped in {@code data}.
 */
public final class DecisionLogParser {

    public record Decision(
            String decisionId,
            OffsetDateTime decidedAt,
            String agent,
            String connection,
            String sessionId,
            String protocol,
            String action,
            String rules,
            String policyVersion,
            String json) {
        @Override
        public String toString() {
            return "Decision[" + decisionId + " " + action + "]";
        }
    }

    public record Result(Decision decision, Rejection rejection) {}

    private final int maxBytes;

    public DecisionLogParser(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public Result parse(byte[] value) {
        if (value == null || value.length == 0) {
            return new Result(null, new Rejection(Rejection.MALFORMED, "empty value"));
        }
        if (value.length > maxBytes) {
            return new Result(null, new Rejection(Rejection.TOO_LARGE, value.length + " bytes > limit " + maxBytes));
        }
        JsonNode root;
        try {
            root = JsonSupport.MAPPER.readTree(value);
        } catch (IOException e) {
            return new Result(null, new Rejection(Rejection.MALFORMED, e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return new Result(null, new Rejection(Rejection.MALFORMED, "not a JSON object"));
        }
        JsonNode d = root.path("data").isObject() ? root.get("data") : root;
        String id = text(d.path("decision_id"));
        if (id == null) {
            return new Result(null, new Rejection(Rejection.MISSING_FIELD, "decision_id"));
        }
        if (id.length() > 128) {
            return new Result(null, new Rejection(Rejection.INVALID_FIELD, "decision_id"));
        }
        OffsetDateTime at = null;
        String ts = text(d.path("timestamp"));
        if (ts == null) {
            ts = text(root.path("time"));
        }
        if (ts != null) {
            try {
                at = OffsetDateTime.parse(ts);
            } catch (DateTimeParseException e) {
                return new Result(null, new Rejection(Rejection.INVALID_FIELD, "timestamp"));
            }
        }
        JsonNode input = d.path("input");
        JsonNode result = d.path("result");
        String action = text(result.path("action"));
        List<String> rules = new ArrayList<>();
        result.path("rules").forEach(r -> {
            if (r.isTextual()) {
                rules.add(r.textValue());
            }
        });
        JsonSupport.redact(root);
        String json;
        try {
            json = JsonSupport.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            return new Result(null, new Rejection(Rejection.MALFORMED, e.getOriginalMessage()));
        }
        String protocol = text(input.path("request").path("protocol"));
        if (protocol == null) {
            protocol = text(input.path("connection").path("type"));
        }
        return new Result(
                new Decision(
                        id,
                        at,
                        limit(text(input.path("identity").path("agent")), 200),
                        limit(text(input.path("connection").path("name")), 200),
                        limit(text(input.path("session").path("id")), 128),
                        limit(protocol, 64),
                        action == null ? null : limit(action.toLowerCase(Locale.ROOT), 16),
                        String.join(",", rules),
                        limit(text(d.path("policy_version")), 200),
                        json),
                null);
    }

    private static String text(JsonNode n) {
        return n != null && n.isValueNode() && !n.isNull() && !n.isMissingNode() ? n.asText() : null;
    }

    private static String limit(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
