package dev.portcullis.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A validated decision input: the CEL variables of {@link CelEnvironment}, plus the fields the
 * engine filters on before CEL runs and the original JSON (for the masked decision log).
 */
public record PolicyInput(Map<String, Object> variables, String protocol, Map<String, String> tags, JsonNode json) {

    @Override
    public String toString() {
        // the input can carry statement text with sensitive literals: never print it
        return "PolicyInput[protocol=" + protocol + ", tags=" + tags + "]";
    }
}
