package dev.portcullis.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session-event tag (docs/architecture.md "Events", {@code authtag}) as producer and recorder use it. */
class EventAuthTest {

    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final String KID = EventAuth.keyId(SECRET);
    static final Map<String, byte[]> KEYS = Map.of(KID, SECRET);
    static final String EVENT =
            "{\"type\":\"session.request\",\"session_id\":\"s1\",\"seq\":3,\"data\":{\"text\":\"é\"}}";

    static String tagged(String json, String session) {
        return EventAuth.append(
                json, EventAuth.tag(KID, EventAuth.sessionKey(SECRET, session), json.getBytes(StandardCharsets.UTF_8)));
    }

    static EventAuth.Verdict verify(String session, String payload) {
        return EventAuth.verify(KEYS, session, payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTaggedEventVerifiesAndAnyChangeDoesNot() {
        String t = tagged(EVENT, "s1");
        assertThat(t)
                .startsWith(EVENT.substring(0, EVENT.length() - 1))
                .endsWith("\"}")
                .contains(",\"authtag\":\"" + KID + ":");
        assertThat(verify("s1", t)).isEqualTo(EventAuth.Verdict.AUTHENTIC);
        assertThat(verify("s1", t + "\n")).isEqualTo(EventAuth.Verdict.AUTHENTIC);
        assertThat(verify("s2", t)).isEqualTo(EventAuth.Verdict.FORGED);
        assertThat(verify("s1", t.replace("\"seq\":3", "\"seq\":4"))).isEqualTo(EventAuth.Verdict.FORGED);
        assertThat(verify("s1", t.replace(KID + ":", "kother:"))).isEqualTo(EventAuth.Verdict.UNKNOWN_KEY);
    }

    @Test
    void whatIsNotATagIsNeverAuthentic() {
        for (String p : new String[] {
            "",
            "}",
            "\"}",
            EVENT,
            "{\"authtag\":\"" + KID + ":AAAA\"}",
            EVENT.replace("}}", "},\"authtag\":\"x\"}"),
            EVENT.replace("}}", "},\"authtag\":\"" + KID + ":!!\"}"),
            EVENT.replace("}}", "},\"authtag\":\"" + KID + ":" + "A".repeat(300) + "\"}")
        }) {
            assertThat(verify("s1", p)).as(p).isNotEqualTo(EventAuth.Verdict.AUTHENTIC);
        }
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> EventAuth.requireSecret(new byte[16])).hasMessageContaining("32 bytes");
    }
}
