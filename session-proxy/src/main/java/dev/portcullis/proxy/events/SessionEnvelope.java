package dev.portcullis.proxy.events;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventSources;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The JSON of one session's events, written straight into a {@link StringBuilder}: the envelope's parts that never
 * change within the session (its id, agent, connection, the source) are escaped once, when the session starts, and
 * only the seq, type, time, dataschema and data are written per event. The same JSON, byte for byte, as
 * {@link EventJson#encode} writes for the event's {@link CloudEvent} (attribute order of
 * {@link CloudEvent#forEachAttribute}); {@code SessionEnvelopeTest} holds it to that.
 */
final class SessionEnvelope {

    private final String idStart;
    private final String subjectAndTime;
    private final String sessionAndSeq;
    private final String agentAndConnection;

    SessionEnvelope(String sessionId, String agent, String connection) {
        String sid = quoted(sessionId);
        // the id is "<session id>:<seq>": the session id's JSON without its closing quote, then the seq
        this.idStart = "{\"" + CloudEvent.Attr.SPECVERSION + "\":" + quoted(CloudEvent.SPECVERSION) + ",\""
                + CloudEvent.Attr.ID + "\":" + sid.substring(0, sid.length() - 1) + ":";
        this.subjectAndTime = ",\"" + CloudEvent.Attr.SUBJECT + "\":" + sid + ",\"" + CloudEvent.Attr.TIME + "\":";
        this.sessionAndSeq = ",\"" + CloudEvent.Attr.SESSION_ID + "\":" + sid + ",\"" + CloudEvent.Attr.SEQ + "\":";
        this.agentAndConnection = (agent == null ? "" : ",\"" + CloudEvent.Attr.AGENT + "\":" + quoted(agent))
                + (connection == null ? "" : ",\"" + CloudEvent.Attr.CONNECTION + "\":" + quoted(connection))
                + "}";
    }

    private static final String SOURCE_AND_TYPE = "\",\"" + CloudEvent.Attr.SOURCE + "\":"
            + quoted(EventSources.SESSION_PROXY) + ",\"" + CloudEvent.Attr.TYPE + "\":";
    private static final String CONTENT_TYPE_AND_SCHEMA = ",\"" + CloudEvent.Attr.DATACONTENTTYPE + "\":"
            + quoted(CloudEvent.JSON) + ",\"" + CloudEvent.Attr.DATASCHEMA + "\":";
    private static final String DATA = ",\"" + CloudEvent.Attr.DATA + "\":";

    /** The untagged JSON of {@code event}, one of this session's. */
    String encode(CloudEvent<JsonObject> event) {
        String data = Json.encode(event.data());
        StringBuilder b = new StringBuilder(240 + data.length());
        b.append(idStart)
                .append(event.seq())
                .append(SOURCE_AND_TYPE)
                .append(quoted(event.type()))
                .append(subjectAndTime)
                .append(quoted(event.time()))
                .append(CONTENT_TYPE_AND_SCHEMA)
                .append(quoted(event.dataschema()))
                .append(DATA)
                .append(data)
                .append(sessionAndSeq)
                .append(event.seq())
                .append(agentAndConnection);
        return b.toString();
    }

    /**
     * A JSON string, escaped as the event codec escapes it: printable ASCII but {@code "} and {@code \\} as it is
     * (types, times, schemas, ids), anything else through the codec itself.
     */
    static String quoted(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                String one = Json.encode(new JsonArray().add(s));
                return one.substring(1, one.length() - 1);
            }
        }
        return "\"" + s + "\"";
    }
}
