package dev.portcullis.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.policy.PolicyFixtures;
import dev.portcullis.policy.model.Action;
import dev.portcullis.policy.model.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The golden inputs and results of contracts' test-jar (what session-proxy sends and reads): the default pack
 * decides each input, and its decision is written with exactly the fields of the golden results.
 */
class PolicyFixtureDecisionsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final PolicyEngine ENGINE = new PolicyEngine(Action.DENY);
    static final List<String> INPUTS = PolicyFixtures.INPUTS;
    static final List<String> RESULTS = PolicyFixtures.RESULTS;
    static PolicySet pack;

    @BeforeAll
    static void compilePack() {
        List<CompiledPolicy> compiled = new ArrayList<>();
        for (Map.Entry<String, String> e : DefaultPack.sources().entrySet()) {
            compiled.add(PolicyCompiler.compile(e.getKey(), e.getValue(), 1));
        }
        pack = PolicySet.of(compiled);
    }

    static Decision decide(String input) throws Exception {
        JsonNode in = JSON.readTree(PolicyFixtures.json(input));
        return ENGINE.evaluate(
                        pack,
                        InputNormalizer.normalize(
                                in, () -> Instant.parse(in.get("time").asText())),
                        false)
                .decision();
    }

    @ParameterizedTest
    @CsvSource({
        // a read of a customer row: allowed, its e-mail column and sensitive values masked
        "input-postgres-query, allow, ''",
        "input-ssh-exec, review, ssh-sudo-review",
        "input-kubernetes, allow, ''"
    })
    void theDefaultPackDecidesEachInput(String input, String action, String rule) throws Exception {
        Decision d = decide(input);
        assertEquals(Action.parse(action), d.action(), () -> input + ": " + d);
        assertEquals(rule.isEmpty() ? List.of() : List.of(rule), d.rules(), () -> input + ": " + d);
    }

    @Test
    void thePostgresReadIsMasked() throws Exception {
        Decision d = decide("input-postgres-query");
        assertTrue(d.mask().stream().anyMatch(m -> "*email*".equals(m.column())), () -> d.toString());
    }

    @ParameterizedTest
    @FieldSource("INPUTS")
    void eachDecisionIsWrittenWithTheFieldsOfTheGoldenResults(String input) throws Exception {
        JsonNode written = JSON.valueToTree(decide(input));
        for (String result : RESULTS) {
            JsonNode golden = JSON.readTree(PolicyFixtures.json(result)).get("result");
            assertEquals(fields(golden), fields(written), () -> input + " against " + result);
            for (JsonNode m : written.get("mask")) {
                assertTrue(
                        Set.of("column", "strategy").equals(fields(m))
                                || Set.of("detector", "strategy").equals(fields(m)),
                        m::toString);
            }
        }
    }

    /** Each golden result reads into policy-service's own Decision and is written back unchanged. */
    @ParameterizedTest
    @FieldSource("RESULTS")
    void eachGoldenResultIsWhatTheServiceWrites(String result) throws Exception {
        JsonNode response = JSON.readTree(PolicyFixtures.json(result));
        assertEquals(Set.of("decision_id", "result", "provenance"), fields(response));
        assertFalse(response.get("decision_id").asText().isBlank());
        assertEquals(Set.of("revision"), fields(response.get("provenance")));
        Decision d = JSON.treeToValue(response.get("result"), Decision.class);
        assertEquals(response.get("result"), JSON.valueToTree(d));
    }

    static Set<String> fields(JsonNode o) {
        Set<String> out = new HashSet<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
