package dev.portcullis.policy.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.service.DecisionService;
import io.vertx.core.MultiMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a Data API answer, shared by {@link DataResource} and {@link DecisionRoute} so both answer alike. The
 * only defined document is {@code data.portcullis.decision}; paths above it return it nested (as OPA returns a
 * package), paths inside it return the part, any other path is undefined and returns {@code {}} as OPA does.
 */
final class DecisionAnswers {

    private static final List<String> DECISION = List.of("portcullis", "decision");

    private DecisionAnswers() {}

    /**
     * {@code ?explain}, {@code ?metrics} and {@code ?provenance} count when present, with or without a value (as
     * in OPA). {@code provenance} has OPA's shape, with the one field that matters here: the {@code revision} of the
     * policy set that decided (ADR 0021), so that a cache can tie a decision to the policy that made it.
     */
    static Map<String, Object> answer(
            DecisionService decisions, String path, JsonNode input, MultiMap params, String requestedBy, long start) {
        boolean explain = params.contains("explain");
        boolean metrics = params.contains("metrics");
        boolean provenance = params.contains("provenance");
        List<String> segments = segments(path);
        boolean above = segments.size() <= DECISION.size()
                && DECISION.subList(0, segments.size()).equals(segments);
        boolean inside = segments.size() > DECISION.size()
                && segments.subList(0, DECISION.size()).equals(DECISION);
        if (!above && !inside) {
            return Map.of();
        }
        if (input == null || input.isNull()) {
            throw OpaException.badRequest("input is required: POST {\"input\": {…}}");
        }
        DecisionService.Outcome outcome = decisions.decide(input, explain, requestedBy, start);
        Object value;
        if (above) {
            Object nested = outcome.evaluation().decision();
            for (int i = DECISION.size() - 1; i >= segments.size(); i--) {
                nested = Map.of(DECISION.get(i), nested);
            }
            value = nested;
        } else {
            value = descend(outcome, segments.subList(DECISION.size(), segments.size()));
            if (value == null) {
                return Map.of();
            }
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("decision_id", outcome.decisionId());
        response.put("result", value);
        if (provenance) {
            response.put("provenance", Map.of("revision", outcome.evaluation().policyRevision()));
        }
        if (metrics) {
            Map<String, Object> timers = new LinkedHashMap<>();
            timers.put("timer_rego_query_eval_ns", outcome.evalNanos());
            timers.put("timer_server_handler_ns", System.nanoTime() - start);
            response.put("metrics", timers);
        }
        if (explain) {
            response.put("explanation", outcome.evaluation().trace());
        }
        return response;
    }

    /** A field of the decision (action, reasons, rules, mask, record, cache), or an element of a list field. */
    private static Object descend(DecisionService.Outcome outcome, List<String> rest) {
        var d = outcome.evaluation().decision();
        Object v = switch (rest.get(0)) {
            case "action" -> d.action();
            case "reasons" -> d.reasons();
            case "rules" -> d.rules();
            case "mask" -> d.mask();
            case "record" -> d.record();
            case "cache" -> d.cache();
            default -> null;
        };
        if (rest.size() == 1 || v == null) {
            return v;
        }
        if (rest.size() == 2 && v instanceof List<?> list) {
            try {
                int i = Integer.parseInt(rest.get(1));
                return i >= 0 && i < list.size() ? list.get(i) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static List<String> segments(String path) {
        if (path == null || path.isEmpty()) {
            return List.of();
        }
        if (path.equals(DecisionService.DECISION_PATH)) {
            // DecisionRoute's path, asked for every decision: no split
            return DECISION;
        }
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }
}
