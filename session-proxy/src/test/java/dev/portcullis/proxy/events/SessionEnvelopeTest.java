package dev.portcullis.proxy.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-session writer writes exactly the JSON the generic one writes (the authtag covers these bytes). */
class SessionEnvelopeTest {

    private static final List<String> AWKWARD = List.of(
            "plain",
            "with \"quotes\" and \\backslash\\",
            "tab\tnew\nline\rcr\u0001ctl",
            "ünïcödé ✓ 𝄞",
            "</script><img src=x onerror=alert(1)>",
            "");

    @Test
    void everyEventIsWrittenAsEventJsonWritesIt() {
        for (String agent : AWKWARD) {
            for (String connection : List.of("pg-demo", agent)) {
                String sid = "7f1c2a9e-4b1d-4c3e-9a8f-0d2e4c6b8a10";
                SessionEnvelope envelope = new SessionEnvelope(sid, agent, connection);
                long seq = 0;
                for (String type : List.of(
                        EventTypes.SESSION_STARTED,
                        EventTypes.SESSION_REQUEST,
                        EventTypes.SESSION_DECISION,
                        EventTypes.SESSION_OUTPUT,
                        EventTypes.SESSION_ENDED)) {
                    JsonObject data = new JsonObject()
                            .put("text", "SELECT '" + agent + "'")
                            .put("rows", 3)
                            .put(
                                    "nested",
                                    new JsonObject()
                                            .put(
                                                    "list",
                                                    new JsonArray().add(agent).add(1.5)))
                            .putNull("none");
                    CloudEvent<JsonObject> event =
                            EventPublisher.sessionEvent(type, sid, seq++, agent, connection, data);
                    assertEquals(EventJson.encode(event), envelope.encode(event), type + " of " + agent);
                    CloudEvent<JsonObject> v2 = event.withDataschema(CloudEvent.DATASCHEMA_SESSION_V2);
                    assertEquals(EventJson.encode(v2), envelope.encode(v2), "v2 " + type);
                }
            }
        }
    }

    @Test
    void quotingMatchesTheCodec() {
        for (String s : AWKWARD) {
            String viaCodec = Json.encode(new JsonArray().add(s));
            assertEquals(viaCodec.substring(1, viaCodec.length() - 1), SessionEnvelope.quoted(s), s);
        }
    }
}
