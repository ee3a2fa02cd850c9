package dev.portcullis.broker.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The broker's reader of review-requests takes the contract's golden review requests and refuses the invalid ones. */
class ReviewRequestFixturesTest {

    /** As Quarkus configures the service's mapper: unknown properties do not fail. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .findAndAddModules()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static Stream<Fixture> accepted() {
        return EventFixtures.accepted(Topics.REVIEW_REQUESTS).stream();
    }

    static Stream<Fixture> invalid() {
        return EventFixtures.invalid(Topics.REVIEW_REQUESTS).stream();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void readsTheGoldenReviewRequests(Fixture f) throws IOException {
        JsonNode wire = JSON.readTree(f.json());

        ReviewRequestListener.Received r =
                ReviewRequestListener.read(JSON, f.json()).orElseThrow();

        assertEquals(wire.get("id").asText(), r.eventId());
        ReviewRequested data = r.data();
        assertEquals(wire.at("/data/review_id").asText(), data.reviewId());
        assertEquals(wire.at("/data/session_id").asText(), data.sessionId());
        assertEquals(wire.at("/data/agent").asText(), data.agent());
        assertEquals(wire.at("/data/connection").asText(), data.connection());
        assertEquals(wire.at("/data/expires_at").asText(), data.expiresAt());
        assertEquals(wire.at("/data/request_seq").asLong(), data.requestSeq());
        assertEquals(List.of(wire.at("/data/reasons/0").asText()), data.reasons());
        assertEquals(wire.at("/data/request"), JSON.valueToTree(data.request()));
        assertEquals(wire.at("/data/rules"), JSON.valueToTree(data.rules()));
        // the session so far, as the broker stores and returns it; absent from events written before it
        if (wire.at("/data/history").isMissingNode()) {
            assertNull(data.history());
        } else {
            // through text, so that numbers compare by value (a Long seq and the fixture's int)
            assertEquals(wire.at("/data/history"), JSON.readTree(JSON.writeValueAsString(data.history())));
        }
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void refusesTheInvalidOnes(Fixture f) {
        assertTrue(ReviewRequestListener.read(JSON, f.json()).isEmpty(), f.name());
    }

    @Test
    void leavesOtherTypesAlone() {
        assertTrue(ReviewRequestListener.read(
                        JSON, EventFixtures.valid(EventTypes.REVIEW_APPROVED).json())
                .isEmpty());
    }
}
