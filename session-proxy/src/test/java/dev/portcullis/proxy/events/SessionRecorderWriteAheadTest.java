package dev.portcullis.proxy.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SessionRecorder#whenRecorded}: a request waits for its own events, and hears when one was given up. */
class SessionRecorderWriteAheadTest {

    private final List<Recorded> pending = new ArrayList<>();
    private final SessionRecorder recorder = new SessionRecorder(
            new SessionRecorder.Sink() {
                @Override
                public void publish(String topic, String key, CloudEvent<?> event) {
                    throw new AssertionError("the recorder must ask whether its events are recorded");
                }

                @Override
                public void publish(String topic, String key, CloudEvent<?> event, Recorded recorded) {
                    pending.add(recorded);
                }
            },
            "s-1",
            "agent",
            "conn");
    private final List<Boolean> heard = new ArrayList<>();

    @Test
    void aRequestWaitsUntilItsRequestAndDecisionAreRecorded() {
        recorder.emit(EventTypes.SESSION_STARTED, new JsonObject());
        long request = recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject());
        long decision = recorder.emit(EventTypes.SESSION_DECISION, new JsonObject());
        recorder.whenRecorded(request, decision, heard::add);

        pending.get(2).recorded(true); // out of order: the decision first
        pending.get(1).recorded(true);
        assertEquals(List.of(), heard); // session.started (seq 0) is not resolved yet

        pending.get(0).recorded(true);
        assertEquals(List.of(true), heard);
    }

    @Test
    void aGivenUpEventFailsTheRequestItBelongsToAndNoOther() {
        long r1 = recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject());
        long d1 = recorder.emit(EventTypes.SESSION_DECISION, new JsonObject());
        long r2 = recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject());
        long d2 = recorder.emit(EventTypes.SESSION_DECISION, new JsonObject());
        pending.get(0).recorded(true);
        pending.get(1).recorded(false);
        pending.get(2).recorded(true);
        pending.get(3).recorded(true);

        recorder.whenRecorded(r1, d1, heard::add); // resolved already: answered at once
        recorder.whenRecorded(r2, d2, heard::add);

        assertEquals(List.of(false, true), heard);
        assertEquals(3, recorder.lastSeq());
    }

    @Test
    void nothingEmittedIsRecorded() {
        recorder.whenRecorded(-1, -1, heard::add);
        assertEquals(List.of(true), heard);
    }
}
