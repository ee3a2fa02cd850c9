package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy's reader of review-decisions and identity-events acts on the contract's golden events and on nothing
 * of the invalid ones. The Kafka key is left out (null): the event itself must name what it is about.
 */
class ControlEventsFixturesTest {

    private static final Instant BEFORE = Instant.now().minusSeconds(60);

    private final List<String> completed = new ArrayList<>();
    private final SessionRegistry registry = new SessionRegistry();
    private final ReviewHolds holds = new ReviewHolds(null, null) {
        @Override
        public boolean complete(String reviewId, Outcome outcome) {
            completed.add(reviewId + " " + outcome);
            return true;
        }
    };
    private final ControlEventsListener listener = new ControlEventsListener(null, registry, holds);

    static Stream<Fixture> acceptedDecisions() {
        return EventFixtures.accepted(Topics.REVIEW_DECISIONS).stream();
    }

    static Stream<Fixture> invalidDecisions() {
        return EventFixtures.invalid(Topics.REVIEW_DECISIONS).stream();
    }

    static Stream<Fixture> invalidIdentityEvents() {
        return EventFixtures.invalid(Topics.IDENTITY_EVENTS).stream();
    }

    @ParameterizedTest
    @MethodSource("acceptedDecisions")
    void aReviewDecisionCompletesItsHold(Fixture f) {
        JsonObject event = new JsonObject(f.json());
        listener.handle(f.topic(), null, f.json());

        String outcome = switch (event.getString(CloudEvent.Attr.TYPE)) {
            case EventTypes.REVIEW_APPROVED -> "APPROVED";
            case EventTypes.REVIEW_DENIED -> "DENIED";
            default -> "EXPIRED";
        };
        assertEquals(List.of(event.getJsonObject("data").getString("review_id") + " " + outcome), completed);
    }

    @ParameterizedTest
    @MethodSource("invalidDecisions")
    void anInvalidReviewDecisionCompletesNothing(Fixture f) {
        listener.handle(f.topic(), null, f.json());
        assertEquals(List.of(), completed);
    }

    @Test
    void agentDisabledCutsOffTheAgentEverywhere() {
        for (Fixture f : EventFixtures.accepted(Topics.IDENTITY_EVENTS).stream()
                .filter(f -> f.name().startsWith(EventTypes.AGENT_DISABLED))
                .toList()) {
            SessionRegistry fresh = new SessionRegistry();
            new ControlEventsListener(null, fresh, holds).handle(f.topic(), null, f.json());
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "pg-prod"), f.name());
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "ssh-prod"), f.name());
        }
    }

    @Test
    void aRevokedOrExpiredGrantCutsOffItsConnectionOnly() {
        for (String type : List.of(EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED)) {
            SessionRegistry fresh = new SessionRegistry();
            Fixture f = EventFixtures.valid(type);
            new ControlEventsListener(null, fresh, holds).handle(f.topic(), null, f.json());
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "pg-prod"), type);
            assertFalse(fresh.cutOff("ci-runner", BEFORE, "ssh-prod"), type);
        }
    }

    @Test
    void aCreatedGrantCutsOffNothing() {
        Fixture f = EventFixtures.valid(EventTypes.GRANT_CREATED);
        listener.handle(f.topic(), null, f.json());
        assertFalse(registry.cutOff("ci-runner", BEFORE, "pg-prod"));
    }

    @ParameterizedTest
    @MethodSource("invalidIdentityEvents")
    void anInvalidIdentityEventCutsOffNothing(Fixture f) {
        listener.handle(f.topic(), null, f.json());
        assertFalse(registry.cutOff("ci-runner", BEFORE, "pg-prod"), f.name());
        assertFalse(registry.cutOff("ci-runner", BEFORE, null), f.name());
    }

    /** Fail closed: a kill switch is applied even in a version this proxy cannot read. */
    @Test
    void aKillSwitchOfAnUnknownDataschemaIsStillApplied() {
        JsonObject event = new JsonObject(
                        EventFixtures.valid(EventTypes.AGENT_DISABLED).json())
                .put(CloudEvent.Attr.DATASCHEMA, "urn:portcullis:events:v2");
        listener.handle(Topics.IDENTITY_EVENTS, null, event.encode());
        assertTrue(registry.cutOff("ci-runner", BEFORE, "pg-prod"));
    }
}
