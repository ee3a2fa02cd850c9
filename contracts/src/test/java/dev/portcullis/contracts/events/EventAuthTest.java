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

    /** One verifier across the tests' checks, one session kept: every check also goes through a cache miss or hit. */
    static final EventAuth.Verifier VERIFIER = new EventAuth.Verifier(KEYS, 1);

    /** The verdict of the per-event check, asserted equal to the kept-HMAC verifier's. */
    static EventAuth.Verdict verify(String session, String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        EventAuth.Verdict v = EventAuth.verify(KEYS, session, bytes);
        assertThat(VERIFIER.verify(session, bytes))
                .as("verifier on %s", payload)
                .isEqualTo(v);
        return v;
    }

    @Test
    void theVerifierKeepsNoStateBetweenChecksOfASession() {
        EventAuth.Verifier verifier = new EventAuth.Verifier(KEYS, 2);
        String s1 = tagged(EVENT, "s1");
        String s2 = tagged(EVENT.replace("s1", "s2"), "s2");
        String s3 = tagged(EVENT.replace("s1", "s3"), "s3");
        byte[] forged = s1.replace("\"seq\":3", "\"seq\":4").getBytes(StandardCharsets.UTF_8);
        byte[] badMac = s1.replaceAll(":[A-Za-z0-9_-]+\"}$", ":!!\"}").getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 3; round++) {
            // a failed check (forged, malformed after the key was found) leaves the session's HMAC as it was
            assertThat(verifier.verify("s1", forged)).isEqualTo(EventAuth.Verdict.FORGED);
            assertThat(verifier.verify("s1", badMac)).isEqualTo(EventAuth.Verdict.MALFORMED);
            assertThat(verifier.verify("s1", s1.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(EventAuth.Verdict.AUTHENTIC);
            // another session's event under this session's id, and a third session evicting the first
            assertThat(verifier.verify("s1", s2.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(EventAuth.Verdict.FORGED);
            assertThat(verifier.verify("s2", s2.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(EventAuth.Verdict.AUTHENTIC);
            assertThat(verifier.verify("s3", s3.getBytes(StandardCharsets.UTF_8)))
                    .isEqualTo(EventAuth.Verdict.AUTHENTIC);
        }
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
