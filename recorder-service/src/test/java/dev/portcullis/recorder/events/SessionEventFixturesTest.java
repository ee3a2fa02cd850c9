package dev.portcullis.recorder.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import dev.portcullis.contracts.events.EventTypes;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The recorder's own reader takes the contract's golden session events and refuses the invalid ones. */
class SessionEventFixturesTest {

    private final SessionEventParser parser = new SessionEventParser(64 * 1024);

    /** Why the recorder parks each invalid fixture (the DLQ reason header). */
    private static final Map<String, String> REASONS = Map.of(
            "truncated", Rejection.MALFORMED,
            "session.request-without-seq", Rejection.MISSING_FIELD,
            "session.request-negative-seq", Rejection.INVALID_FIELD,
            "session.teleported", Rejection.UNKNOWN_TYPE,
            "session.request-unreadable-dataschema", Rejection.INVALID_FIELD,
            "session.started-without-session-id", Rejection.MISSING_FIELD);

    static Stream<Fixture> accepted() {
        return EventFixtures.accepted(Topics.SESSION_EVENTS).stream();
    }

    static Stream<Fixture> invalid() {
        return EventFixtures.invalid(Topics.SESSION_EVENTS).stream();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void readsTheGoldenEvents(Fixture f) throws IOException {
        JsonNode wire = JsonSupport.MAPPER.readTree(f.json());
        SessionEventParser.Result r = parser.parse(f.bytes());

        assertThat(r.rejection()).isNull();
        SessionEvent e = r.event();
        assertThat(e.type().wire()).isEqualTo(wire.get("type").asText());
        assertThat(e.sessionId()).isEqualTo(wire.get("session_id").asText());
        assertThat(e.seq()).isEqualTo(wire.get("seq").asLong());
        assertThat(e.agent()).isEqualTo(wire.get("agent").asText());
        assertThat(e.connection()).isEqualTo(wire.get("connection").asText());
        assertThat(e.time()).isEqualTo(Timestamps.parse(wire.get("time").asText()));
        // what is recorded is the event as written (the fixtures hold nothing to redact)
        assertThat(JsonSupport.MAPPER.readTree(e.json())).isEqualTo(wire);
    }

    @Test
    void aDecisionFixtureCarriesItsAction() {
        SessionEventParser.Result r =
                parser.parse(EventFixtures.valid(EventTypes.SESSION_DECISION).bytes());
        assertThat(r.event().action()).isEqualTo("allow");
    }

    @Test
    void aV2RequestCarryingADenialHasTheDenialsAction() {
        Fixture f = EventFixtures.moreValid(Topics.SESSION_EVENTS).stream()
                .filter(x -> x.name().equals("session.request-v2-with-decision"))
                .findFirst()
                .orElseThrow();
        SessionEventParser.Result r = parser.parse(f.bytes());
        assertThat(r.event().type()).isEqualTo(SessionEventType.REQUEST);
        assertThat(r.event().action()).isEqualTo("deny");
        // the v1 request fixture carries no decision: no action
        assertThat(parser.parse(EventFixtures.valid(EventTypes.SESSION_REQUEST).bytes())
                        .event()
                        .action())
                .isNull();
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesTheInvalidOnes(Fixture f) {
        SessionEventParser.Result r = parser.parse(f.bytes());
        assertThat(r.event()).isNull();
        assertThat(r.rejection().reason()).isEqualTo(REASONS.get(f.name()));
    }

    @Test
    void everyTypeOfTheContractIsOneTheRecorderKnows() {
        assertThat(Arrays.stream(SessionEventType.values()).map(SessionEventType::wire))
                .containsExactlyElementsOf(EventTypes.SESSION_EVENTS);
    }
}
