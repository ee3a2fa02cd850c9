package dev.portcullis.proxy.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.contracts.events.SessionEventFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the proxy writes is the golden fixture of its type: the same session built through {@link SessionRecorder}
 * and {@link SessionData}, and a review request through {@link EventPublisher#reviewRequested}, written by
 * {@link EventJson}, equal the fixtures but for the id and time of the moment.
 */
class SessionEventWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonObject fixture(String type) {
        return new JsonObject(EventFixtures.valid(type).json());
    }

    /** The event as written, with the fixture's id and time (what only the moment decides). */
    private static void assertLikeFixture(String type, CloudEvent<?> event) throws Exception {
        JsonObject expected = fixture(type);
        ObjectNode written = (ObjectNode) JSON.readTree(EventJson.encode(event));
        written.put(CloudEvent.Attr.ID, expected.getString(CloudEvent.Attr.ID));
        written.put(CloudEvent.Attr.TIME, expected.getString(CloudEvent.Attr.TIME));
        assertEquals(JSON.readTree(expected.encode()), (JsonNode) written, type);
    }

    @Test
    void aSessionIsWrittenAsTheFixturesShowIt() throws Exception {
        JsonObject started = fixture(EventTypes.SESSION_STARTED);
        List<CloudEvent<?>> published = new ArrayList<>();
        SessionRecorder recorder = new SessionRecorder(
                (topic, key, event) -> {
                    assertEquals(Topics.SESSION_EVENTS, topic);
                    assertEquals(started.getString(CloudEvent.Attr.SESSION_ID), key);
                    published.add(event);
                },
                started.getString(CloudEvent.Attr.SESSION_ID),
                started.getString(CloudEvent.Attr.AGENT),
                started.getString(CloudEvent.Attr.CONNECTION));
        JsonObject decision = fixture(EventTypes.SESSION_DECISION).getJsonObject(CloudEvent.Attr.DATA);
        JsonObject output = fixture(EventTypes.SESSION_OUTPUT).getJsonObject(CloudEvent.Attr.DATA);

        recorder.emit(EventTypes.SESSION_STARTED, started.getJsonObject(CloudEvent.Attr.DATA));
        long request = recorder.emit(
                EventTypes.SESSION_REQUEST, fixture(EventTypes.SESSION_REQUEST).getJsonObject(CloudEvent.Attr.DATA));
        recorder.emit(
                EventTypes.SESSION_DECISION,
                SessionData.decision(
                        request,
                        decision.getString("action"),
                        strings(decision.getJsonArray("reasons")),
                        strings(decision.getJsonArray("rules")),
                        decision.getString("decision_id"),
                        decision.getBoolean("cached")));
        recorder.emit(
                EventTypes.SESSION_OUTPUT,
                SessionData.answering(request)
                        .put("command_tag", output.getString("command_tag"))
                        .put("rows", output.getInteger("rows"))
                        .put("denied", output.getBoolean("denied")));
        recorder.emit(
                EventTypes.SESSION_ENDED, fixture(EventTypes.SESSION_ENDED).getJsonObject(CloudEvent.Attr.DATA));

        assertEquals(
                List.of(
                        EventTypes.SESSION_STARTED,
                        EventTypes.SESSION_REQUEST,
                        EventTypes.SESSION_DECISION,
                        EventTypes.SESSION_OUTPUT,
                        EventTypes.SESSION_ENDED),
                published.stream().map(CloudEvent::type).toList());
        for (CloudEvent<?> e : published) {
            assertLikeFixture(e.type(), e);
        }
    }

    @Test
    void aReviewRequestIsWrittenAsTheFixtureShowsIt() throws Exception {
        JsonObject data = fixture(EventTypes.REVIEW_REQUESTED).getJsonObject(CloudEvent.Attr.DATA);
        // the request as the proxy holds it: Vert.x JSON, nested arrays and objects included
        JsonObject request = data.getJsonObject("request");
        // the session so far from a recorder that recorded the fixture's earlier requests, as PostgreSQL records them
        SessionRecorder recorder = new SessionRecorder(
                (topic, key, e) -> {}, data.getString("session_id"), data.getString("agent"), "pg-prod", 10);
        recorder.emit(EventTypes.SESSION_STARTED, new JsonObject());
        recorder.emit(EventTypes.SESSION_OUTPUT, new JsonObject());
        for (Object o : data.getJsonArray("history")) {
            JsonObject h = (JsonObject) o;
            long seq = recorder.emit(
                    EventTypes.SESSION_REQUEST,
                    new JsonObject()
                            .put("protocol", "postgres")
                            .put("kind", "query")
                            .put("text", h.getString("request"))
                            .put(
                                    SessionEventFields.DECISION,
                                    SessionData.embeddedDecision(
                                            h.getString("action"),
                                            List.of(),
                                            List.of(),
                                            "d-" + h.getLong("seq"),
                                            false)));
            assertEquals(h.getLong("seq"), seq);
        }
        long held = recorder.emit(EventTypes.SESSION_REQUEST, request);
        assertEquals(data.getLong("request_seq"), held);
        CloudEvent<ReviewRequested> event = EventPublisher.reviewRequested(new ReviewRequested(
                data.getString("review_id"),
                data.getString("session_id"),
                data.getString("agent"),
                data.getString("subject"),
                data.getString("connection"),
                request.getMap(),
                strings(data.getJsonArray("reasons")),
                strings(data.getJsonArray("rules")),
                data.getLong("request_seq"),
                data.getString("expires_at"),
                recorder.history(held)));
        assertLikeFixture(EventTypes.REVIEW_REQUESTED, event);
    }

    private static List<String> strings(JsonArray a) {
        return a.stream().map(String::valueOf).toList();
    }
}
