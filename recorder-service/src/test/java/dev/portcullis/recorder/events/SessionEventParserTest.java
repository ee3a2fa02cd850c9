package dev.portcullis.recorder.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SessionEventParserTest {

    private final SessionEventParser parser = new SessionEventParser(4096);

    private SessionEventParser.Result parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsCloudEventsWrappedEvents() {
        var r = parse("""
                {"specversion":"1.0","id":"e1","source":"/proxy","type":"%s","time":"2026-11-22T03:12:00Z",
                 "data":{"session_id":"s-1","seq":0,"time":"2026-11-22T03:12:00Z","agent":"backup",
                         "connection":{"name":"pg-prod","type":"postgres","tags":{"env":"prod"}},"protocol":"postgres"}}""".formatted(EventTypes.SESSION_STARTED));
        assertThat(r.rejection()).isNull();
        SessionEvent e = r.event();
        assertThat(e.sessionId()).isEqualTo("s-1");
        assertThat(e.seq()).isZero();
        assertThat(e.type()).isEqualTo(SessionEventType.STARTED);
        assertThat(e.agent()).isEqualTo("backup");
        assertThat(e.connection()).isEqualTo("pg-prod");
        assertThat(e.protocol()).isEqualTo("postgres");
        assertThat(e.tags()).containsEntry("env", "prod");
        assertThat(e.time()).hasToString("2026-11-22T03:12:00Z");
    }

    @Test
    void readsFlatEventsAndDecisionActions() {
        var r = parse("""
                {"type":"%s","session_id":"s-1","seq":"3","time":"2026-11-22T03:12:01+01:00",
                 "agent":"ci","connection":"pg-dev","decision":{"action":"DENY"}}""".formatted(EventTypes.SESSION_DECISION));
        assertThat(r.event().seq()).isEqualTo(3);
        assertThat(r.event().action()).isEqualTo("deny");
        assertThat(r.event().connection()).isEqualTo("pg-dev");
    }

    private SessionEventParser.Result request(String dataschema, String decision) {
        return parse("{\"specversion\":\"1.0\",\"type\":\"" + EventTypes.SESSION_REQUEST + "\","
                + (dataschema == null ? "" : "\"dataschema\":\"" + dataschema + "\",")
                + "\"session_id\":\"s-1\",\"seq\":4,\"data\":{\"text\":\"DELETE FROM orders\",\"decision\":"
                + decision + "}}");
    }

    @Test
    void aV2RequestTakesTheActionOfTheDecisionItCarries() {
        String v2 = CloudEvent.DATASCHEMA_SESSION_V2;
        assertThat(request(v2, "{\"action\":\"DENY\",\"rules\":[\"r\"]}")
                        .event()
                        .action())
                .isEqualTo("deny");
        assertThat(request(v2, "{\"action\":\"allow\",\"cached\":true}").event().action())
                .isEqualTo("allow");
        // held: counted once as reviewed (it stands for the policy's review and the hold's waiting); the outcome
        // comes later as a session.decision, review.denied
        assertThat(request(v2, "{\"action\":\"review\",\"review_id\":\"r-1\",\"state\":\"waiting\"}")
                        .event()
                        .action())
                .isEqualTo("review");
        assertThat(request(v2, "\"deny\"").event().action()).isNull();
        assertThat(request(v2, "{\"action\":7}").event().action()).isNull();
    }

    @Test
    void aV1RequestsDecisionFieldIsNotADecision() {
        // v1 has no such field: its decisions come as session.decision events, which would be counted twice
        assertThat(request(null, "{\"action\":\"deny\"}").event().action()).isNull();
        assertThat(request(CloudEvent.DATASCHEMA_V1, "{\"action\":\"deny\"}")
                        .event()
                        .action())
                .isNull();
    }

    @Test
    void refusesASessionEventVersionItDoesNotKnow() {
        var r = request("urn:portcullis:events:v3", "{\"action\":\"deny\"}");
        assertThat(r.event()).isNull();
        assertThat(r.rejection().reason()).isEqualTo(Rejection.INVALID_FIELD);
        assertThat(r.rejection().detail()).contains("dataschema");
    }

    @Test
    void outputIsCompactAndRedactsSensitiveKeys() {
        var r = parse("""
                {"type":"%s", "session_id":"s-1", "seq":1,
                  "data": {"text":"SELECT 1", "password":"hunter2", "nested":{"Token":"abc"}}}""".formatted(EventTypes.SESSION_REQUEST));
        assertThat(r.event().jsonText())
                .doesNotContain("hunter2")
                .doesNotContain("abc")
                .doesNotContain("\n")
                .contains("\"password\":\"[redacted]\"");
        assertThat(r.redacted()).isEqualTo(2);
    }

    @Test
    void sensitiveKeysAreMatchedByPartLikeInTheDecisionLogs() {
        var r = parse("""
                {"type":"%s", "session_id":"s-1", "seq":1,
                  "data": {"text":"SELECT 1", "db_password":"hunter2", "headers":{"X-Api-Key":"k-123"}}}""".formatted(EventTypes.SESSION_REQUEST));
        assertThat(r.event().jsonText())
                .doesNotContain("hunter2")
                .doesNotContain("k-123")
                .contains("\"db_password\":\"[redacted]\"")
                .contains("\"text\":\"SELECT 1\"");
        assertThat(r.redacted()).isEqualTo(2);
    }

    @Test
    void rejectsBadInputWithAReason() {
        assertThat(parse("not json").rejection().reason()).isEqualTo(Rejection.MALFORMED);
        assertThat(parse("[1,2]").rejection().reason()).isEqualTo(Rejection.MALFORMED);
        assertThat(parse("{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"seq\":1,\"session_id\":\"a\",\"seq\":2}")
                        .rejection()
                        .reason())
                .isEqualTo(Rejection.MALFORMED);
        assertThat(parse("{\"type\":\"session.teleported\",\"session_id\":\"s\",\"seq\":1}")
                        .rejection()
                        .reason())
                .isEqualTo(Rejection.UNKNOWN_TYPE);
        assertThat(parse("{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\"}")
                        .rejection()
                        .reason())
                .isEqualTo(Rejection.MISSING_FIELD);
        assertThat(parse("{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"../../etc\",\"seq\":1}")
                        .rejection()
                        .reason())
                .isEqualTo(Rejection.INVALID_FIELD);
        assertThat(parse("{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":-1}")
                        .rejection()
                        .reason())
                .isEqualTo(Rejection.INVALID_FIELD);
        assertThat(parser.parse(new byte[5000]).rejection().reason()).isEqualTo(Rejection.TOO_LARGE);
    }
}
