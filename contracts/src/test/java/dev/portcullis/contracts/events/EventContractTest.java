package dev.portcullis.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventFixtures.Fixture;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The golden fixtures read into the contract's records with a plain Jackson mapper, and what the records say. */
class EventContractTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The payload record of a type's data; a session event's data is the protocol's own JSON. */
    static Class<?> payload(String type) {
        return switch (type) {
            case EventTypes.REVIEW_REQUESTED -> ReviewRequested.class;
            case EventTypes.REVIEW_APPROVED, EventTypes.REVIEW_DENIED, EventTypes.REVIEW_EXPIRED -> ReviewDecided.class;
            case EventTypes.AGENT_DISABLED -> AgentDisabled.class;
            case EventTypes.GRANT_CREATED, EventTypes.GRANT_REVOKED, EventTypes.GRANT_EXPIRED -> GrantChanged.class;
            default -> Map.class;
        };
    }

    /** Everything the contract finds wrong with an event of {@code topic}: parse, envelope and payload. */
    static List<String> problems(String topic, String json) {
        try {
            JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return List.of("not JSON: " + e.getOriginalMessage());
        }
        try {
            if (topic.equals(Topics.DECISION_LOGS)) {
                return JSON.readValue(json, DecisionLog.class).validate();
            }
            CloudEvent<JsonNode> event = JSON.readValue(json, new TypeReference<>() {});
            List<String> p = new ArrayList<>(event.validate());
            if (event.data() != null
                    && event.type() != null
                    && EventTypes.topicOf(event.type()).isPresent()) {
                assertThat(EventTypes.topicOf(event.type())).hasValue(topic);
                Object data = JSON.treeToValue(event.data(), payload(event.type()));
                switch (data) {
                    case ReviewRequested r -> p.addAll(r.validate());
                    case ReviewDecided r -> p.addAll(r.validate());
                    case AgentDisabled a -> p.addAll(a.validate());
                    case GrantChanged g -> p.addAll(g.validate());
                    default -> {}
                }
            }
            return p;
        } catch (JsonProcessingException e) {
            return List.of("not readable: " + e.getOriginalMessage());
        }
    }

    static Stream<String> types() {
        return EventTypes.ALL.stream();
    }

    static Stream<Fixture> tolerated() {
        return Topics.CONTRACT.stream().flatMap(t -> EventFixtures.tolerated(t).stream());
    }

    static Stream<Fixture> moreValid() {
        return Topics.CONTRACT.stream().flatMap(t -> EventFixtures.moreValid(t).stream());
    }

    static Stream<Fixture> invalid() {
        return Topics.CONTRACT.stream().flatMap(t -> EventFixtures.invalid(t).stream());
    }

    @ParameterizedTest
    @MethodSource("types")
    void eachTypesFixtureIsValid(String type) throws IOException {
        Fixture f = EventFixtures.valid(type);
        assertThat(problems(f.topic(), f.json())).isEmpty();
        if (!type.equals(EventTypes.DECISION)) {
            CloudEvent<JsonNode> event = JSON.readValue(f.json(), new TypeReference<>() {});
            assertThat(event.type()).isEqualTo(type);
            assertThat(event.dataschema()).isEqualTo(CloudEvent.DATASCHEMA_V1);
            assertThat(event.sessionId() != null).isEqualTo(EventTypes.isSessionEvent(type));
        }
    }

    /** Read into the records and written back, each fixture is what it was: the records lose and add nothing. */
    @ParameterizedTest
    @MethodSource("types")
    void theRecordsWriteWhatTheProducersWrite(String type) throws IOException {
        Fixture f = EventFixtures.valid(type);
        Object read = type.equals(EventTypes.DECISION)
                ? JSON.readValue(f.json(), DecisionLog.class)
                : JSON.readValue(
                        f.json(), JSON.getTypeFactory().constructParametricType(CloudEvent.class, payload(type)));
        // through text, so that numbers compare by value (a Long seq and the fixture's int)
        assertThat(JSON.readTree(JSON.writeValueAsString(read))).isEqualTo(JSON.readTree(f.json()));
    }

    @ParameterizedTest
    @MethodSource("moreValid")
    void theOtherValidFixturesAreValid(Fixture f) {
        assertThat(problems(f.topic(), f.json())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("tolerated")
    void toleratedFixturesAreAccepted(Fixture f) {
        assertThat(problems(f.topic(), f.json())).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidFixturesAreRefusedWithTheirProblem(Fixture f) {
        assertThat(problems(f.topic(), f.json())).anySatisfy(p -> assertThat(p).startsWith(f.problem()));
    }

    @Test
    void everyFixtureFileIsListed() throws IOException, URISyntaxException {
        Path dir = Path.of(
                getClass().getClassLoader().getResource(EventFixtures.DIR).toURI());
        for (String sub : List.of("invalid", "valid", "tolerated")) {
            try (Stream<Path> files = Files.list(dir.resolve(sub))) {
                assertThat(files.map(p -> p.getFileName().toString().replaceFirst("\\.json$", "")))
                        .as(sub)
                        .containsExactlyInAnyOrderElementsOf(EventFixtures.listed(sub));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> p.getFileName().toString().replaceFirst("\\.json$", "")))
                    .as("one fixture per type, nothing else")
                    .containsExactlyInAnyOrderElementsOf(EventTypes.ALL);
        }
    }

    @Test
    void typesAreGroupedByTheContractsTopics() {
        assertThat(EventTypes.BY_TOPIC.keySet()).containsExactlyElementsOf(Topics.CONTRACT);
        assertThat(EventTypes.ALL).hasSize(14).doesNotHaveDuplicates();
        assertThat(EventTypes.topicOf(EventTypes.GRANT_REVOKED)).hasValue(Topics.IDENTITY_EVENTS);
        assertThat(EventTypes.topicOf(EventTypes.REVIEW_REQUESTED)).hasValue(Topics.REVIEW_REQUESTS);
        assertThat(EventTypes.topicOf(EventTypes.DECISION)).hasValue(Topics.DECISION_LOGS);
        assertThat(EventTypes.topicOf("session.teleported")).isEmpty();
        assertThat(EventTypes.topicOf(null)).isEmpty();
        assertThat(EventTypes.isSessionEvent(EventTypes.SESSION_ENDED)).isTrue();
        assertThat(EventTypes.isSessionEvent(EventTypes.REVIEW_REQUESTED)).isFalse();
    }

    @Test
    void forEachAttributeWritesWhatJacksonWrites() {
        Map<String, Object> data = new LinkedHashMap<>(Map.of("request_seq", 1));
        for (CloudEvent<?> e : List.of(
                CloudEvent.session(EventSources.SESSION_PROXY, EventTypes.SESSION_OUTPUT, "s-1", 2, "bot", "pg", data),
                CloudEvent.of(EventSources.IDENTITY_BROKER, EventTypes.AGENT_DISABLED, "bot", data))) {
            Map<String, Object> visited = new LinkedHashMap<>();
            e.forEachAttribute(visited::put);
            Map<String, Object> jackson = JSON.convertValue(e, new TypeReference<LinkedHashMap<String, Object>>() {});
            assertThat(visited.keySet()).containsExactlyElementsOf(jackson.keySet());
            JsonNode visitedTree = JSON.valueToTree(visited);
            assertThat(visitedTree).isEqualTo(JSON.valueToTree(jackson));
        }
    }

    @Test
    void theFactoriesFillTheEnvelope() {
        CloudEvent<Map<String, Object>> s = CloudEvent.session(
                EventSources.SESSION_PROXY, EventTypes.SESSION_REQUEST, "s-1", 7, "bot", "pg-prod", Map.of());
        assertThat(s.validate()).isEmpty();
        assertThat(s.id()).isEqualTo("s-1:7");
        assertThat(s.subject()).isEqualTo("s-1");
        assertThat(s.sessionId()).isEqualTo("s-1");
        assertThat(s.seq()).isEqualTo(7L);
        assertThat(s.dataschema()).isEqualTo(CloudEvent.DATASCHEMA_V1);
        assertThat(OffsetDateTime.parse(s.time())).isNotNull();

        CloudEvent<Map<String, Object>> o =
                CloudEvent.of(EventSources.IDENTITY_BROKER, EventTypes.GRANT_CREATED, "bot", Map.of());
        assertThat(o.validate()).isEmpty();
        assertThat(o.id()).matches("[0-9a-f-]{36}");
        assertThat(o.sessionId()).isNull();
        assertThat(o.seq()).isNull();
    }

    @Test
    void validateNamesEveryProblem() {
        CloudEvent<Object> empty =
                new CloudEvent<>(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(empty.validate())
                .containsExactly(
                        "specversion: missing",
                        "id: missing",
                        "source: missing",
                        "type: missing",
                        "time: missing",
                        "data: missing");
        CloudEvent<Object> session = new CloudEvent<>(
                "0.3",
                "x",
                "/s",
                EventTypes.SESSION_ENDED,
                null,
                "now",
                "text/plain",
                null,
                Map.of(),
                " ",
                -2L,
                null,
                null,
                null);
        assertThat(session.validate())
                .containsExactly(
                        "specversion: '0.3' is not 1.0",
                        "time: 'now' is not an RFC 3339 timestamp",
                        "datacontenttype: 'text/plain' is not application/json",
                        "session_id: missing",
                        "seq: -2 is negative",
                        "agent: missing",
                        "connection: missing");
    }

    @Test
    void anAbsentDataschemaIsReadAsV1AndAnUnknownOneIsNot() {
        assertThat(CloudEvent.readable(null)).isTrue();
        assertThat(CloudEvent.readable(CloudEvent.DATASCHEMA_V1)).isTrue();
        assertThat(CloudEvent.readable("urn:portcullis:events:v2")).isFalse();
        assertThat(CloudEvent.readable("urn:portcullis:events:v3")).isFalse();
    }

    @Test
    void v2IsReadOnlyOnSessionEvents() {
        assertThat(CloudEvent.readableSessionEvent(null)).isTrue();
        assertThat(CloudEvent.readableSessionEvent(CloudEvent.DATASCHEMA_V1)).isTrue();
        assertThat(CloudEvent.readableSessionEvent(CloudEvent.DATASCHEMA_SESSION_V2))
                .isTrue();
        assertThat(CloudEvent.readableSessionEvent("urn:portcullis:events:v3")).isFalse();
        CloudEvent<Map<String, Object>> request = CloudEvent.<Map<String, Object>>session(
                        EventSources.SESSION_PROXY,
                        EventTypes.SESSION_REQUEST,
                        "5f0c1c9e-4d7e-4d35-9a37-0d8f6f2f4c11",
                        3,
                        "agent",
                        "pg-demo",
                        Map.of("text", "select 1"))
                .withDataschema(CloudEvent.DATASCHEMA_SESSION_V2);
        assertThat(request.validate()).isEmpty();
        CloudEvent<Map<String, Object>> approval = CloudEvent.<Map<String, Object>>of(
                        EventSources.IDENTITY_BROKER, EventTypes.REVIEW_APPROVED, "r-1", Map.of("review_id", "r-1"))
                .withDataschema(CloudEvent.DATASCHEMA_SESSION_V2);
        assertThat(approval.validate())
                .containsExactly(
                        "dataschema: 'urn:portcullis:events:v2' is not a version this build reads (urn:portcullis:events:v1)");
    }

    private static ReviewRequested withHistory(Long requestSeq, List<ReviewRequested.HistoryEntry> history) {
        return new ReviewRequested(
                "r-1", "s-1", "bot", null, "pg-prod", Map.of(), List.of(), List.of(), requestSeq, null, history);
    }

    @Test
    void aReviewsHistoryIsOptionalBoundedAndOldestFirst() {
        assertThat(withHistory(5L, null).validate()).isEmpty();
        assertThat(withHistory(5L, List.of()).validate()).isEmpty();
        List<ReviewRequested.HistoryEntry> twenty = new ArrayList<>();
        for (long i = 0; i < ReviewRequested.MAX_HISTORY; i++) {
            twenty.add(new ReviewRequested.HistoryEntry(i, "x".repeat(ReviewRequested.MAX_HISTORY_REQUEST), null));
        }
        assertThat(withHistory(20L, twenty).validate()).isEmpty();
        List<ReviewRequested.HistoryEntry> more = new ArrayList<>(twenty);
        more.add(new ReviewRequested.HistoryEntry(20L, "SELECT 1", "allow"));
        assertThat(withHistory(21L, more).validate()).containsExactly("history: 21 entries, at most 20");
        assertThat(withHistory(
                                9L,
                                java.util.Arrays.asList(
                                        new ReviewRequested.HistoryEntry(
                                                4L, "x".repeat(ReviewRequested.MAX_HISTORY_REQUEST + 1), "allow"),
                                        new ReviewRequested.HistoryEntry(3L, "SELECT 3", "allow"),
                                        new ReviewRequested.HistoryEntry(-1L, "SELECT 0", "allow"),
                                        new ReviewRequested.HistoryEntry(null, null, "deny"),
                                        null,
                                        new ReviewRequested.HistoryEntry(9L, "the held one", "review")))
                        .validate())
                .containsExactly(
                        "history[0].request: 2001 characters, at most 2000",
                        "history[1].seq: 3 is not after the entry before it (oldest first)",
                        "history[2].seq: -1 is negative",
                        "history[3].seq: missing",
                        "history[3].request: missing",
                        "history[4]: missing",
                        "history[5].seq: 9 is not before the held request's 9");
    }

    @Test
    void aLongHistoryRequestIsClippedWithAVisibleMarker() {
        String fits = "y".repeat(ReviewRequested.MAX_HISTORY_REQUEST);
        assertThat(ReviewRequested.HistoryEntry.clip(fits)).isSameAs(fits);
        String clipped = ReviewRequested.HistoryEntry.clip("SELECT '" + "z".repeat(5_000) + "'");
        assertThat(clipped)
                .hasSize(ReviewRequested.MAX_HISTORY_REQUEST)
                .startsWith("SELECT 'zzz")
                .endsWith(ReviewRequested.TRUNCATED);
        // a character outside the BMP across the cut is dropped whole, never split into half a surrogate pair
        int cut = ReviewRequested.MAX_HISTORY_REQUEST - ReviewRequested.TRUNCATED.length();
        String emoji = "a".repeat(cut - 1) + "\uD83D\uDE00" + "b".repeat(100);
        String c = ReviewRequested.HistoryEntry.clip(emoji);
        assertThat(c).isEqualTo("a".repeat(cut - 1) + ReviewRequested.TRUNCATED);
        assertThat(withHistory(9L, List.of(new ReviewRequested.HistoryEntry(1L, c, null)))
                        .validate())
                .isEmpty();
    }
}
