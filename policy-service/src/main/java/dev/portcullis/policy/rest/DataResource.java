package dev.portcullis.policy.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.policy.security.Roles;
import dev.portcullis.policy.service.DecisionService;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * OPA's Data API. The only defined document is {@code data.portcullis.decision}; paths above it
 * return it nested (as OPA returns a package), paths inside it return the part, any other path is
 * undefined and returns {@code {}} as OPA does.
 */
@Path("/v1/data")
@RolesAllowed(Roles.DECISION_CLIENT)
@Produces(MediaType.APPLICATION_JSON)
public class DataResource {

    private static final List<String> DECISION = List.of("portcullis", "decision");

    @Inject
    DecisionService decisions;

    @Inject
    RequestBodies bodies;

    @Inject
    JsonWebToken caller;

    @POST
    @Path("{path: .*}")
    @Consumes(MediaType.WILDCARD)
    @NonBlocking
    public Map<String, Object> post(@PathParam("path") String path, byte[] body, @Context HttpServerRequest request) {
        long start = System.nanoTime();
        JsonNode doc = bodies.json(body);
        if (doc != null && !doc.isObject()) {
            throw OpaException.badRequest("body must be a JSON object like {\"input\": …}");
        }
        return answer(path, doc == null ? null : doc.get("input"), request, start);
    }

    @GET
    @Path("{path: .*}")
    @NonBlocking
    public Map<String, Object> get(
            @PathParam("path") String path, @QueryParam("input") String input, @Context HttpServerRequest request) {
        long start = System.nanoTime();
        return answer(path, input == null ? null : bodies.json(input), request, start);
    }

    /**
     * {@code ?explain}, {@code ?metrics} and {@code ?provenance} count when present, with or without a value (as
     * in OPA). {@code provenance} has OPA's shape, with the one field that matters here: the {@code revision} of the
     * policy set that decided (ADR 0021), so that a cache can tie a decision to the policy that made it.
     */
    private Map<String, Object> answer(String path, JsonNode input, HttpServerRequest request, long start) {
        boolean explain = request.params().contains("explain");
        boolean metrics = request.params().contains("metrics");
        boolean provenance = request.params().contains("provenance");
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
        DecisionService.Outcome outcome = decisions.decide(input, explain, callerName(), start);
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
            response.put(
                    "metrics",
                    Map.of(
                            "timer_rego_query_eval_ns",
                            outcome.evalNanos(),
                            "timer_server_handler_ns",
                            System.nanoTime() - start));
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
        return java.util.Arrays.stream(path.split("/"))
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private String callerName() {
        Object azp = caller.getClaim("azp");
        return azp == null ? String.valueOf(caller.getSubject()) : azp.toString();
    }
}
