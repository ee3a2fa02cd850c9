package dev.portcullis.recorder.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventFixtures;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The streaming {@link SessionEventParser} accepts, refuses, extracts and writes exactly what the tree-based reader
 * it replaced did ({@link TreeSessionEventParser}, kept here as the reference): the contract's fixtures, the shapes
 * the README's table allows (flat, wrapped, names as objects, tags, every decision path, v1/v2), sensitive keys at
 * every depth, odd values (floats with trailing zeros, big integers, nulls, arrays, unicode escapes, whitespace),
 * and malformed input.
 */
class SessionEventParserEquivalenceTest {

    private static final SessionEventParser STREAMING = new SessionEventParser(64 * 1024);
    private static final TreeSessionEventParser TREE = new TreeSessionEventParser(64 * 1024);

    static Stream<String> inputs() {
        List<String> in = new ArrayList<>();
        EventFixtures.accepted(Topics.SESSION_EVENTS).forEach(f -> in.add(f.json()));
        EventFixtures.invalid(Topics.SESSION_EVENTS).forEach(f -> in.add(f.json()));
        String req = EventTypes.SESSION_REQUEST;
        String dec = EventTypes.SESSION_DECISION;
        String v2 = "\"dataschema\":\"" + CloudEvent.DATASCHEMA_SESSION_V2 + "\",";
        in.addAll(List.of(
                "{\"type\":\"" + req + "\",\"session_id\":\"s-1\",\"seq\":1}",
                "{ \"type\" : \"" + req + "\" ,\n \"session_id\":\"s-1\", \"seq\" : \"7\" }",
                "{\"specversion\":\"1.0\",\"type\":\"" + EventTypes.SESSION_STARTED
                        + "\",\"time\":\"2026-11-22T03:12:00Z\",\"data\":{\"session_id\":\"s-1\",\"seq\":0,"
                        + "\"time\":\"2026-11-22T04:12:00+01:00\",\"agent\":{\"id\":\"a1\",\"name\":\"n\"},"
                        + "\"connection\":{\"name\":\"pg\",\"type\":\"POSTGRES\",\"tags\":{\"env\":\"prod\","
                        + "\"tier\":1,\"api_token\":\"t0p\",\"deep\":{\"x\":1},\"n\":null}}}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s-1\",\"seq\":2,\"agent\":{\"name\":7},"
                        + "\"connection\":{\"id\":\"c\",\"type\":5},\"connection_tags\":{\"a\":\"b\",\"c\":[1]}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s-1\",\"seq\":2,\"agent\":{\"id\":null,\"name\":\"x\"},"
                        + "\"connection\":[\"c\"],\"protocol\":\"SSH\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s-1\",\"seq\":2,\"agent\":true,\"connection\":1.50}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s-1\",\"seq\":2,\"data\":\"x\",\"agent\":null}",
                "{\"type\":\"" + req + "\",\"data\":{\"session_id\":null,\"seq\":null},\"session_id\":\"r\",\"seq\":3}",
                "{\"type\":\"" + req + "\",\"sessionId\":\"s-2\",\"seq\":3}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"data\":{\"action\":\"Allow\"}}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"decision\":{\"action\":\"DENY\"}}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"result\":{\"action\":\"review\"}}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"decision\":\"deny\"}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"decision\":{\"action\":1},\"result\":"
                        + "{\"action\":\"deny\"}}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"review_id\":\"r\",\"state\":\"DENIED\"}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"review_id\":null,\"state\":\"denied\","
                        + "\"action\":\"allow\"}",
                "{\"type\":\"" + dec + "\",\"session_id\":\"s\",\"seq\":3,\"review_id\":{},\"state\":\"waiting\"}",
                "{\"type\":\"" + req + "\"," + v2 + "\"session_id\":\"s\",\"seq\":4,\"data\":{\"decision\":"
                        + "{\"action\":\"REVIEW\",\"review_id\":\"r\",\"state\":\"waiting\"}}}",
                "{\"type\":\"" + req + "\"," + v2 + "\"session_id\":\"s\",\"seq\":4,\"decision\":\"deny\"}",
                "{\"type\":\"" + req + "\",\"dataschema\":null,\"session_id\":\"s\",\"seq\":4}",
                "{\"type\":\"" + req + "\",\"dataschema\":{\"v\":2},\"session_id\":\"s\",\"seq\":4}",
                "{\"type\":\"" + req + "\",\"dataschema\":\"" + CloudEvent.DATASCHEMA_V1
                        + "\",\"session_id\":\"s\",\"seq\":4,\"decision\":{\"action\":\"deny\"}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":4,\"data\":{\"text\":\"SELECT 1\","
                        + "\"password\":\"hunter2\",\"Token\":7,\"secret\":true,\"api_key\":null,\"cookie\":"
                        + "\"[redacted]\",\"headers\":{\"Authorization\":\"Bearer x\"},\"list\":[{\"passwd\":\"p\"},"
                        + "[\"token\"],3],\"credentials\":{\"user\":\"u\",\"private_key\":\"k\"},\"f\":1.50,"
                        + "\"e\":1E+3,\"z\":-0.0,\"big\":123456789012345678901234567890,\"neg\":-0,"
                        + "\"u\":\"\\u00e9\\u2028\\/\\t\",\"raw\":\"é😀\"}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1.0}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":123456789012345678901234567890}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":9007199254740992}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":\"12345678901234567\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":true}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":[1]}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"time\":\"yesterday\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"time\":12}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s/../x\",\"seq\":1}",
                "{\"type\":\"" + req + "\",\"session_id\":{\"id\":\"s\"},\"seq\":1}",
                "{\"type\":{\"x\":1},\"session_id\":\"s\",\"seq\":1}",
                "{\"type\":\"dev.portcullis." + req + "\",\"session_id\":\"s\",\"seq\":1}",
                "{\"type\":\"" + "x".repeat(100) + "\",\"session_id\":\"s\",\"seq\":1}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"seq\":2}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"data\":{\"a\":1,\"a\":2}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1} trailing",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":[1,2",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":NaN}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"agent\":\"" + "a".repeat(300) + "\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":[1,{\"a\":}]}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":\"unterminated}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":tru}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":01}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":-}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":0.5,\"y\":100.0,\"z\":1E+3}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":\"a\tb\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"x\":\"a\u0001b\"}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1}}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,}",
                "{\"type\":\"" + req + "\",\"session_id\":\"s\",\"seq\":1,\"api_key\":\"[redacted]\"}",
                "[1,2]",
                "[1,",
                "\"text\"",
                "42",
                "null",
                "   ",
                "not json",
                "{}",
                "{\"data\":{}}"));
        // a fuzz of the recorder's own shapes: random fields dropped, values swapped for others
        Random r = new Random(7);
        String[] values = {"\"s-9\"", "3", "\"3\"", "null", "{}", "[]", "1.5", "true", "{\"action\":\"deny\"}"};
        String[] keys = {
            "type", "session_id", "seq", "time", "agent", "connection", "protocol", SessionEventFields.DECISION, "data"
        };
        for (int i = 0; i < 400; i++) {
            StringBuilder b = new StringBuilder("{\"type\":\"")
                    .append(i % 2 == 0 ? req : dec)
                    .append("\"");
            for (int k = 0; k < 1 + r.nextInt(6); k++) {
                b.append(",\"").append(keys[r.nextInt(keys.length)]).append("\":");
                b.append(values[r.nextInt(values.length)]);
            }
            in.add(b.append("}").toString());
        }
        return in.stream();
    }

    @Test
    void anEventAsACopyWouldWriteItIsKeptAsItIs() {
        byte[] compact = ("{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,"
                        + "\"data\":{\"text\":\"SELECT 'a b' FROM t\",\"rows\":[1,-2,1.50],\"n\":null}}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(STREAMING.parse(compact).event().json()).isSameAs(compact);
        // each of these is written otherwise, so copied: whitespace, an escape, non-ASCII, -0, 1e3, a secret, a trailer
        for (String other : List.of(
                " {\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,\"t\":\"\\/\"}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,\"t\":\"é\"}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,\"t\":-0}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,\"t\":1e3}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1,\"token\":\"x\"}",
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"s\",\"seq\":1}{}")) {
            byte[] bytes = other.getBytes(StandardCharsets.UTF_8);
            SessionEvent e = STREAMING.parse(bytes).event();
            assertThat(e.json()).as(other).isNotSameAs(bytes);
            assertThat(e.jsonText()).isEqualTo(TREE.parse(bytes).event().jsonText());
        }
    }

    @Test
    void theSessionIdCheckIsThePattern() {
        Random r = new Random(11);
        String alphabet = "aZ09._:-/ \\\u00e9\u0660\uff10\n";
        List<String> ids = new ArrayList<>(List.of("", "a", "-a", ".a", "a".repeat(128), "a".repeat(129), "0:1"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(4) == 0 ? 120 + r.nextInt(16) : r.nextInt(8);
            for (int k = 0; k < n; k++) {
                b.append(k > 0 && r.nextInt(6) > 0 ? 'x' : alphabet.charAt(r.nextInt(alphabet.length())));
            }
            ids.add(b.toString());
        }
        for (String id : ids) {
            assertThat(SessionEventParser.isSessionId(id))
                    .as(id)
                    .isEqualTo(SessionEventParser.SESSION_ID.matcher(id).matches());
        }
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void streamingReadsWhatTheTreeReaderRead(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        SessionEventParser.Result s = STREAMING.parse(bytes);
        TreeSessionEventParser.Result t = TREE.parse(bytes);
        assertThat(s.rejection()).isEqualTo(t.rejection());
        assertThat(s.redacted()).isEqualTo(t.redacted());
        if (t.event() == null) {
            assertThat(s.event()).isNull();
            return;
        }
        SessionEvent a = s.event();
        SessionEvent b = t.event();
        assertThat(a.sessionId()).isEqualTo(b.sessionId());
        assertThat(a.seq()).isEqualTo(b.seq());
        assertThat(a.type()).isEqualTo(b.type());
        assertThat(a.time()).isEqualTo(b.time());
        assertThat(a.agent()).isEqualTo(b.agent());
        assertThat(a.connection()).isEqualTo(b.connection());
        assertThat(a.protocol()).isEqualTo(b.protocol());
        assertThat(a.tags()).containsExactlyEntriesOf(b.tags());
        assertThat(a.action()).isEqualTo(b.action());
        assertThat(a.jsonText()).isEqualTo(b.jsonText());
    }
}
