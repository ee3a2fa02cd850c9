package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputNormalizerTest {

    private static JsonNode json(String s) throws Exception {
        return TestInputs.JSON.readTree(s);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'\"text\"'|input must be an object",
                "{\"identity\": []}|input.identity must be an object",
                "{\"identity\": {\"agent\": 5}}|input.identity.agent must be a string",
                "{\"identity\": {\"groups\": [1]}}|input.identity.groups must be an array of strings",
                "{\"connection\": {\"tags\": {\"env\": true}}}|input.connection.tags.env must be a string",
                "{\"request\": {\"statements\": {}}}|input.request.statements must be an array",
                "{\"request\": {\"statements\": [{\"type\": \"DELETE\", \"has_where\": \"yes\"}]}}|input.request.statements[0].has_where must be a boolean",
                "{\"time\": \"yesterday\"}|input.time must be an RFC 3339 timestamp, e.g. 2026-11-22T03:12:00Z",
                "{\"time\": 17}|input.time must be an RFC 3339 string"
            })
    void wrongTypesNameTheField(String input, String message) throws Exception {
        InvalidInputException e = assertThrows(
                InvalidInputException.class, () -> InputNormalizer.normalize(json(input), () -> TestInputs.NOON));
        assertEquals(message, e.getMessage());
    }

    @Test
    void derivedVariables() throws Exception {
        PolicyInput in = InputNormalizer.normalize(json("""
                {"identity": {"agent": "a"}, "connection": {"type": "Postgres", "tags": {"env": "prod"}},
                 "request": {"text": "delete from Orders", "statements": [{"type": "delete", "tables": ["Orders"]}]},
                 "time": "2026-11-22T03:12:00+01:00", "extra": {"n": 1}}
                """), () -> TestInputs.NOON);
        assertEquals("postgres", in.protocol(), "protocol falls back to the connection type");
        assertEquals(Map.of("env", "prod"), in.tags());
        assertEquals(List.of("DELETE"), in.variables().get("statement_types"));
        assertEquals(List.of("orders"), in.variables().get("tables"));
        assertEquals(Instant.parse("2026-11-22T02:12:00Z"), in.variables().get("now"));
        @SuppressWarnings("unchecked")
        Map<String, Object> stmt = ((List<Map<String, Object>>) in.variables().get("statements")).get(0);
        assertEquals(false, stmt.get("has_where"));
        assertEquals("delete from Orders", stmt.get("text"));
        assertEquals(Map.of("n", 1L), ((Map<?, ?>) in.variables().get("input")).get("extra"));
    }

    @Test
    void anEmptyInputIsValidAndUsesTheClock() throws Exception {
        PolicyInput in = InputNormalizer.normalize(json("{}"), () -> TestInputs.NOON);
        assertEquals("", in.protocol());
        assertEquals(TestInputs.NOON, in.variables().get("now"));
    }
}
