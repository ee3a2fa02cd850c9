package dev.portcullis.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * A validated decision input: the CEL variables of {@link CelEnvironment}, plus the fields the engine filters on
 * before CEL runs and the original JSON (for the masked decision log).
 *
 * <p>The {@code input} variable (the whole input as CEL values) is converted only when a rule reads it: most rules
 * read the derived variables, and converting every input cost more allocation than all but two of the default
 * pack's rules (policy-service/README.md, "Benchmark"). A decision is evaluated on one thread; the conversion is
 * pure, so even a second thread would only convert twice.
 */
public final class PolicyInput {

    private final Map<String, Object> variables;
    private final String protocol;
    private final Map<String, String> tags;
    private final JsonNode json;
    private Map<String, Object> input;

    /** {@code variables}: every variable but {@code input}, which is {@code json} converted when first read. */
    PolicyInput(Map<String, Object> variables, String protocol, Map<String, String> tags, JsonNode json) {
        this.variables = variables;
        this.protocol = protocol;
        this.tags = tags;
        this.json = json;
    }

    /** The value of one CEL variable; null when it has none. */
    public Object variable(String name) {
        if (CelEnvironment.INPUT.equals(name)) {
            if (input == null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> whole = (Map<String, Object>) InputNormalizer.toCel(json);
                input = whole;
            }
            return input;
        }
        return variables.get(name);
    }

    /** Every CEL variable, {@code input} included (a copy). */
    public Map<String, Object> variables() {
        Map<String, Object> all = new HashMap<>(variables);
        all.put(CelEnvironment.INPUT, variable(CelEnvironment.INPUT));
        return all;
    }

    public String protocol() {
        return protocol;
    }

    public Map<String, String> tags() {
        return tags;
    }

    public JsonNode json() {
        return json;
    }

    @Override
    public String toString() {
        // the input can carry statement text with sensitive literals: never print it
        return "PolicyInput[protocol=" + protocol + ", tags=" + tags + "]";
    }
}
