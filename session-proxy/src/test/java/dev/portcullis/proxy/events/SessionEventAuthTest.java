package dev.portcullis.proxy.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The proxy's tag on a session event verifies as the recorder checks it, over the bytes the publisher writes
 * ({@link EventJson}); an event changed on its way, moved to another session, or made by whoever lacks the
 * secret does not.
 */
class SessionEventAuthTest {

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final Map<String, byte[]> RECORDER = Map.of(EventAuth.keyId(SECRET), SECRET);

    static List<String> published(SessionEventAuth auth, String sessionId) {
        List<String> wire = new ArrayList<>();
        SessionRecorder recorder = new SessionRecorder(
                (topic, key, event) -> wire.add(EventJson.encode(event)),
                auth.forSession(sessionId),
                sessionId,
                "agent-1",
                "pg-prod");
        recorder.emit(EventTypes.SESSION_STARTED, new JsonObject().put("protocol", "postgres"));
        recorder.emit(EventTypes.SESSION_REQUEST, new JsonObject().put("text", "SELECT 1 /* é ✓ */"));
        recorder.emit(EventTypes.SESSION_ENDED, new JsonObject().put("reason", "client_closed"));
        return wire;
    }

    static EventAuth.Verdict check(String sessionId, String json) {
        return EventAuth.verify(RECORDER, sessionId, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyPublishedEventCarriesATagTheRecorderAccepts() {
        List<String> wire = published(SessionEventAuth.of(SECRET), "s-1");
        assertThat(wire).hasSize(3);
        for (String json : wire) {
            assertThat(new JsonObject(json).getString(CloudEvent.Attr.AUTHTAG))
                    .startsWith(EventAuth.keyId(SECRET) + ":");
            assertThat(json).endsWith("\"}");
            assertThat(check("s-1", json)).isEqualTo(EventAuth.Verdict.AUTHENTIC);
        }
    }

    @Test
    void aChangedMovedOrForeignEventIsRefused() {
        String request = published(SessionEventAuth.of(SECRET), "s-1").get(1);
        assertThat(check("s-1", request.replace("SELECT 1", "DROP TABLE t"))).isEqualTo(EventAuth.Verdict.FORGED);
        // a genuine event replayed as another session's
        assertThat(check("s-2", request.replace("s-1", "s-2"))).isEqualTo(EventAuth.Verdict.FORGED);
        // tagged under another secret (e.g. a Kafka writer that made up its own)
        byte[] other = "another secret, 32 bytes or more".getBytes(StandardCharsets.US_ASCII);
        String foreign = published(SessionEventAuth.of(other), "s-1").get(1);
        assertThat(check("s-1", foreign)).isEqualTo(EventAuth.Verdict.UNKNOWN_KEY);
        String claimed = foreign.replace(EventAuth.keyId(other) + ":", EventAuth.keyId(SECRET) + ":");
        assertThat(check("s-1", claimed)).isEqualTo(EventAuth.Verdict.FORGED);
        // untagged
        String untagged = published(SessionEventAuth.NONE, "s-1").get(1);
        assertThat(untagged).doesNotContain(EventAuth.ATTR);
        assertThat(check("s-1", untagged)).isEqualTo(EventAuth.Verdict.MISSING);
    }

    /** The recorder sends the JSON it tagged as it is: the same bytes as the tagged event written whole. */
    @Test
    void theTagAppendedToTheWrittenEventIsTheTaggedEventWritten() {
        SessionEventAuth.Session session = SessionEventAuth.of(SECRET).forSession("s-1");
        var event = EventPublisher.sessionEvent(
                EventTypes.SESSION_REQUEST, "s-1", 4, "agent-1", "pg-prod", new JsonObject().put("text", "SELECT 'é'"));
        String untagged = EventJson.encode(event);
        String tag = session.tagOf(untagged);
        assertThat(EventAuth.append(untagged, tag)).isEqualTo(EventJson.encode(event.withAuthtag(tag)));
        assertThat(check("s-1", EventAuth.append(untagged, tag))).isEqualTo(EventAuth.Verdict.AUTHENTIC);
        assertThat(session.tagOf(untagged))
                .as("the session's MAC is reused, not carried over")
                .isEqualTo(tag);
    }
}
