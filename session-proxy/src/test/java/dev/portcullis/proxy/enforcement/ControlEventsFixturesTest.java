package dev.portcullis.proxy.enforcement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.proxy.KafkaProbe;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy's reader of review-decisions and identity-events acts on the contract's golden events, signed as the
 * broker signs them, and on nothing of the invalid ones; it believes no approval the broker did not sign, and
 * applies every denial and kill switch, signed or not. The Kafka key is left out (null): the event itself must name
 * what it is about.
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
    private final ControlEventTrust trust =
            new ControlEventTrust(SigningKeys.byId(List.of(KafkaProbe.BROKER_KEY.getPublic())));
    private final ControlEventsListener listener = new ControlEventsListener(null, registry, holds, trust);

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
        listener.handle(f.topic(), null, KafkaProbe.signed(f.json()));

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
        listener.handle(f.topic(), null, signedIfObject(f.json()));
        assertEquals(List.of(), completed);
    }

    @Test
    void agentDisabledCutsOffTheAgentEverywhere() {
        for (Fixture f : EventFixtures.accepted(Topics.IDENTITY_EVENTS).stream()
                .filter(f -> f.name().startsWith(EventTypes.AGENT_DISABLED))
                .toList()) {
            SessionRegistry fresh = new SessionRegistry();
            new ControlEventsListener(null, fresh, holds, trust).handle(f.topic(), null, KafkaProbe.signed(f.json()));
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "pg-prod"), f.name());
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "ssh-prod"), f.name());
        }
    }

    @Test
    void aRevokedOrExpiredGrantCutsOffItsConnectionOnly() {
        for (String type : List.of(EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED)) {
            SessionRegistry fresh = new SessionRegistry();
            Fixture f = EventFixtures.valid(type);
            new ControlEventsListener(null, fresh, holds, trust).handle(f.topic(), null, KafkaProbe.signed(f.json()));
            assertTrue(fresh.cutOff("ci-runner", BEFORE, "pg-prod"), type);
            assertFalse(fresh.cutOff("ci-runner", BEFORE, "ssh-prod"), type);
        }
    }

    @Test
    void aCreatedGrantCutsOffNothing() {
        Fixture f = EventFixtures.valid(EventTypes.GRANT_CREATED);
        listener.handle(f.topic(), null, KafkaProbe.signed(f.json()));
        assertFalse(registry.cutOff("ci-runner", BEFORE, "pg-prod"));
    }

    @ParameterizedTest
    @MethodSource("invalidIdentityEvents")
    void anInvalidIdentityEventCutsOffNothing(Fixture f) {
        listener.handle(f.topic(), null, signedIfObject(f.json()));
        assertFalse(registry.cutOff("ci-runner", BEFORE, "pg-prod"), f.name());
        assertFalse(registry.cutOff("ci-runner", BEFORE, null), f.name());
    }

    /** Fail closed: a kill switch is applied even in a version this proxy cannot read. */
    @Test
    void aKillSwitchOfAnUnknownDataschemaIsStillApplied() {
        JsonObject event = new JsonObject(
                        EventFixtures.valid(EventTypes.AGENT_DISABLED).json())
                .put(CloudEvent.Attr.DATASCHEMA, "urn:portcullis:events:v2");
        listener.handle(Topics.IDENTITY_EVENTS, null, KafkaProbe.signed(event.encode()));
        assertTrue(registry.cutOff("ci-runner", BEFORE, "pg-prod"));
    }

    /** The fixture signed as the broker signs it; what is no JSON object (a truncated record) as it is. */
    private static String signedIfObject(String json) {
        try {
            return KafkaProbe.signed(json);
        } catch (IllegalArgumentException notAnObject) {
            return json;
        }
    }

    // ---- Kafka is not a trust boundary (docs/architecture.md "Events", signature) ----

    private static final String APPROVED =
            EventFixtures.valid(EventTypes.REVIEW_APPROVED).json();
    private static final String REVIEW_A =
            new JsonObject(APPROVED).getJsonObject("data").getString("review_id");

    /** Approvals anyone with write access to Kafka can produce: none completes a hold, each is counted as ignored. */
    static Stream<String[]> forgedApprovals() {
        String signed = KafkaProbe.signed(APPROVED);
        String signatureOfA = signed.substring(signed.lastIndexOf(",\"signature\""));
        String forB = APPROVED.strip().replace(REVIEW_A, "review-b");
        JsonObject keyOnly = new JsonObject(APPROVED);
        keyOnly.remove(CloudEvent.Attr.SUBJECT);
        keyOnly.getJsonObject("data").remove("review_id");
        return Stream.of(
                new String[] {"unsigned", APPROVED},
                new String[] {"signed by a foreign key", KafkaProbe.signed(SigningKeys.generate(), APPROVED)},
                new String[] {
                    "review_id changed", signed.replace("\"review_id\": \"" + REVIEW_A, "\"review_id\": \"review-b")
                },
                new String[] {"replayed for another review", forB.substring(0, forB.length() - 1) + signatureOfA},
                new String[] {"signature stripped", signed.substring(0, signed.lastIndexOf(",\"signature\"")) + "}"},
                new String[] {
                    "dataschema changed", signed.replace(CloudEvent.DATASCHEMA_V1, "urn:portcullis:events:v1 ")
                },
                new String[] {
                    "denial turned approval",
                    KafkaProbe.signed(EventFixtures.valid(EventTypes.REVIEW_DENIED)
                                    .json())
                            .replace(EventTypes.REVIEW_DENIED, EventTypes.REVIEW_APPROVED)
                },
                new String[] {"signed, naming its review by the Kafka key only", KafkaProbe.signed(keyOnly.encode())},
                new String[] {
                    "signed, subject another review",
                    KafkaProbe.signed(new JsonObject(APPROVED)
                            .put(CloudEvent.Attr.SUBJECT, "review-b")
                            .encode())
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgedApprovals")
    void aForgedApprovalCompletesNothing(String name, String value) {
        listener.handle(Topics.REVIEW_DECISIONS, "review-b", value);
        listener.handle(Topics.REVIEW_DECISIONS, REVIEW_A, value);
        assertEquals(List.of(), completed, name);
    }

    @Test
    void anUnsignedApprovalIsCountedAsIgnored() {
        listener.handle(Topics.REVIEW_DECISIONS, REVIEW_A, APPROVED);
        assertEquals(List.of(), completed);
        assertEquals(1.0, trust.count(ControlEventTrust.Outcome.IGNORED));
        assertEquals(0.0, trust.count(ControlEventTrust.Outcome.APPLIED));
        // the broker's own approval of the same review is believed
        listener.handle(Topics.REVIEW_DECISIONS, REVIEW_A, KafkaProbe.signed(APPROVED));
        assertEquals(List.of(REVIEW_A + " APPROVED"), completed);
        assertEquals(1.0, trust.count(ControlEventTrust.Outcome.IGNORED));
    }

    /** Ending access is never ignored: an unsigned denial, expiry or kill switch is applied and counted so. */
    @Test
    void whatEndsAccessIsAppliedUnsignedAndCounted() {
        for (String type : List.of(EventTypes.REVIEW_DENIED, EventTypes.REVIEW_EXPIRED)) {
            listener.handle(
                    Topics.REVIEW_DECISIONS, null, EventFixtures.valid(type).json());
        }
        assertEquals(List.of(REVIEW_A + " DENIED", REVIEW_A + " EXPIRED"), completed);
        listener.handle(
                Topics.IDENTITY_EVENTS,
                null,
                EventFixtures.valid(EventTypes.AGENT_DISABLED).json());
        assertTrue(registry.cutOff("ci-runner", BEFORE, "pg-prod"));
        SessionRegistry fresh = new SessionRegistry();
        ControlEventsListener other = new ControlEventsListener(null, fresh, holds, trust);
        other.handle(
                Topics.IDENTITY_EVENTS,
                null,
                KafkaProbe.signed(
                        SigningKeys.generate(),
                        EventFixtures.valid(EventTypes.GRANT_REVOKED).json()));
        assertTrue(fresh.cutOff("ci-runner", BEFORE, "pg-prod"));
        assertEquals(4.0, trust.count(ControlEventTrust.Outcome.APPLIED));
        assertEquals(0.0, trust.count(ControlEventTrust.Outcome.IGNORED));
    }
}
