package dev.portcullis.policy.engine;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.portcullis.contracts.detect.Detector;
import dev.portcullis.policy.engine.PolicyCompileException.Problem;
import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.ConnectionDefault;
import dev.portcullis.policy.model.Effect;
import dev.portcullis.policy.model.MaskDirective;
import dev.portcullis.policy.model.PolicyDocument;
import dev.portcullis.policy.model.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a policy document written in YAML (JSON is YAML too):
 *
 * <pre>
 * description: …
 * defaults:                       # optional; action when no allow/review/deny rule matched
 *   - tags: { env: prod }
 *     action: allow
 * rules:
 *   - id: drop-forbidden
 *     description: …
 *     protocols: [postgres]       # optional
 *     tags: { env: prod }         # optional, every tag must match
 *     condition: "statement_types.exists(t, t in ['DROP', 'TRUNCATE'])"
 *     effect: deny                # allow | deny | review | mask
 *     message: DROP and TRUNCATE are never allowed on prod
 *     mask: [ { column: "*email*", strategy: redact } ]   # mask rules only
 * </pre>
 */
public final class PolicyParser {

    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Set<String> STRATEGIES = Set.of("redact", "last4", "hash");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PolicyParser() {}

    /** A document with the rules that parsed, and the problems of those that did not. */
    public record Parsed(PolicyDocument document, List<Problem> problems) {}

    /** Parses {@code raw}; throws only when the document as a whole is unreadable. */
    public static Parsed parse(String policyId, String raw) {
        List<Problem> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = YAML.readTree(raw);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new PolicyCompileException(
                    policyId,
                    List.of(new Problem(
                            null,
                            "not valid YAML/JSON: " + e.getOriginalMessage(),
                            loc == null ? 0 : loc.getLineNr(),
                            loc == null ? 0 : loc.getColumnNr())));
        }
        if (root == null || !root.isObject()) {
            throw new PolicyCompileException(
                    policyId, List.of(new Problem(null, "a policy document is a mapping with 'rules'", 0, 0)));
        }
        String declaredId = text(root, "id");
        if (declaredId != null && !declaredId.equals(policyId)) {
            problems.add(new Problem(
                    null, "document id '" + declaredId + "' differs from policy id '" + policyId + "'", 0, 0));
        }
        List<ConnectionDefault> defaults = new ArrayList<>();
        JsonNode defaultsNode = root.path("defaults");
        if (!defaultsNode.isMissingNode() && !defaultsNode.isArray()) {
            problems.add(new Problem(null, "'defaults' must be a list", 0, 0));
        }
        for (JsonNode d : iterable(defaultsNode)) {
            try {
                defaults.add(new ConnectionDefault(
                        stringMap(d.path("tags"), "defaults.tags"), Action.parse(text(d, "action"))));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(null, "defaults: " + e.getMessage(), 0, 0));
            }
        }
        JsonNode rulesNode = root.path("rules");
        if (!rulesNode.isArray()) {
            problems.add(new Problem(null, "'rules' must be a list", 0, 0));
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int index = 0;
        for (JsonNode r : iterable(rulesNode)) {
            index++;
            String id = text(r, "id");
            String name = id == null ? "#" + index : id;
            try {
                if (id == null || !ID.matcher(id).matches()) {
                    throw new IllegalArgumentException("rule id must match " + ID.pattern());
                }
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("duplicate rule id");
                }
                String condition = text(r, "condition");
                if (condition == null || condition.isBlank()) {
                    throw new IllegalArgumentException("condition is required");
                }
                Effect effect = Effect.parse(text(r, "effect"));
                String message = text(r, "message");
                if (message == null || message.isBlank()) {
                    message = text(r, "description");
                }
                if (message == null || message.isBlank()) {
                    throw new IllegalArgumentException("message (or description) is required");
                }
                List<MaskDirective> mask = masks(r.path("mask"));
                if (effect == Effect.MASK && mask.isEmpty()) {
                    throw new IllegalArgumentException("a mask rule needs at least one mask directive");
                }
                if (effect != Effect.MASK && !mask.isEmpty()) {
                    throw new IllegalArgumentException("only mask rules carry mask directives");
                }
                Set<String> protocols = new LinkedHashSet<>();
                for (JsonNode p : iterable(r.path("protocols"))) {
                    protocols.add(p.asText().toLowerCase(Locale.ROOT));
                }
                rules.add(new Rule(
                        id,
                        text(r, "description"),
                        Set.copyOf(protocols),
                        stringMap(r.path("tags"), "tags"),
                        condition,
                        effect,
                        message,
                        mask));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(name, e.getMessage(), 0, 0));
            }
        }
        return new Parsed(
                new PolicyDocument(policyId, text(root, "description"), List.copyOf(defaults), List.copyOf(rules)),
                problems);
    }

    private static List<MaskDirective> masks(JsonNode node) {
        List<MaskDirective> out = new ArrayList<>();
        for (JsonNode m : iterable(node)) {
            String column = text(m, "column");
            String detector = text(m, "detector");
            String strategy = text(m, "strategy");
            if ((column == null) == (detector == null)) {
                throw new IllegalArgumentException("a mask directive names exactly one of column or detector");
            }
            if (detector != null && !Detector.ids().contains(detector)) {
                throw new IllegalArgumentException("unknown detector '" + detector + "', known: " + Detector.ids());
            }
            if (strategy == null || !STRATEGIES.contains(strategy)) {
                throw new IllegalArgumentException("mask strategy must be one of " + STRATEGIES);
            }
            out.add(new MaskDirective(column, detector, strategy));
        }
        return List.copyOf(out);
    }

    private static Map<String, String> stringMap(JsonNode node, String what) {
        if (node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + " must be a mapping of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException(what + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return Map.copyOf(out);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node.isArray() ? node : List.of();
    }
}
