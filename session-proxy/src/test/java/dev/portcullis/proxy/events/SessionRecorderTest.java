package dev.portcullis.proxy.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seqs without gaps, and nothing behind {@code session.ended}. */
class SessionRecorderTest {

    private final List<JsonObject> published = new ArrayList<>();
    private final SessionRecorder recorder = new SessionRecorder(
            (topic, key, event) -> {
                assertEquals(Topics.SESSION_EVENTS, topic);
                assertEquals("s-1", key);
                published.add(EventJson.toJson(event)); // as it goes on the wire
            },
            "s-1",
            "ssh-runner",
            "ssh-prod");

    @Test
    void seqsRunFromZeroWithoutGaps() {
        assertEquals(0, recorder.emit(EventTypes.SESSION_STARTED, new JsonObject()));
        assertEquals(1, recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject().put("command", "true")));
        assertEquals(2, recorder.emit(EventTypes.SESSION_OUTPUT, new JsonObject()));
        assertEquals(
                List.of(0L, 1L, 2L),
                published.stream().map(e -> e.getLong("seq")).toList());
        assertEquals(1, recorder.requests());
    }

    /** A kill switch ends the session while its exec relay still runs; the relay's exit report comes after. */
    @Test
    void anEventAfterSessionEndedIsNotPublished() {
        recorder.emit(EventTypes.SESSION_STARTED, new JsonObject());
        recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject().put("command", "sleep 120"));
        assertEquals(
                2, recorder.emit(EventTypes.SESSION_ENDED, new JsonObject().put("reason", "agent x was disabled")));

        assertEquals(-1, recorder.emit(EventTypes.SESSION_OUTPUT, new JsonObject().putNull("exit_status")));
        assertEquals(-1, recorder.emit(EventTypes.SESSION_ENDED, new JsonObject().put("reason", "closed")));

        assertEquals(
                List.of(EventTypes.SESSION_STARTED, EventTypes.SESSION_REQUEST, EventTypes.SESSION_ENDED),
                published.stream().map(e -> e.getString("type")).toList());
        assertEquals(2L, published.getLast().getLong("seq"), "session.ended is the last event, at the last seq");
    }
}
