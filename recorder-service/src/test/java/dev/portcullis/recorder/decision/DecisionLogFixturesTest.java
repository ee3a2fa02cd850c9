package dev.portcullis.recorder.decision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.Rejection;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The recorder's decision-log reader takes the contract's golden decision logs and refuses the invalid ones. */
class DecisionLogFixturesTest {

    private final DecisionLogParser parser = new DecisionLogParser(64 * 1024);

    private static final Map<String, String> REASONS = Map.of(
            "truncated", Rejection.MALFORMED,
            "decision-without-decision-id", Rejection.MISSING_FIELD,
            "decision-bad-timestamp", Rejection.INVALID_FIELD);

    static Stream<Fixture> accepted() {
        return EventFixtures.accepted(Topics.DECISION_LOGS).stream();
    }

    static Stream<Fixture> invalid() {
        return EventFixtures.invalid(Topics.DECISION_LOGS).stream();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void readsTheGoldenDecisionLogs(Fixture f) throws IOException {
        JsonNode wire = JsonSupport.MAPPER.readTree(f.json());
        DecisionLogParser.Result r = parser.parse(f.bytes());

        assertThat(r.rejection()).isNull();
        DecisionLogParser.Decision d = r.decision();
        assertThat(d.decisionId()).isEqualTo(wire.get("decision_id").asText());
        assertThat(d.decidedAt())
                .isEqualTo(OffsetDateTime.parse(wire.get("timestamp").asText()));
        assertThat(d.agent()).isEqualTo(wire.at("/input/identity/agent").asText());
        assertThat(d.connection()).isEqualTo(wire.at("/input/connection/name").asText());
        assertThat(d.sessionId()).isEqualTo(wire.at("/input/session/id").asText());
        assertThat(d.protocol()).isEqualTo("postgres");
        assertThat(d.action()).isEqualTo(wire.at("/result/action").asText());
        assertThat(d.rules()).isEqualTo("write-with-grant");
        assertThat(d.policyVersion()).isEqualTo(wire.get("policy_version").asText());
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesTheInvalidOnes(Fixture f) {
        DecisionLogParser.Result r = parser.parse(f.bytes());
        assertThat(r.decision()).isNull();
        assertThat(r.rejection().reason()).isEqualTo(REASONS.get(f.name()));
    }
}
