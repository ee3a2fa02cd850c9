package dev.portcullis.contracts.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.contracts.events.ControlEventSignature.Result;
import dev.portcullis.contracts.events.EventAuth.Verdict;
import dev.portcullis.contracts.recording.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The broker's signature on control events (docs/adr/0029) as the broker signs and the proxy checks it. */
class ControlEventSignatureTest {

    static final KeyPair BROKER = SigningKeys.generate();
    static final String KID = SigningKeys.keyId(BROKER.getPublic());
    static final Map<String, PublicKey> PINNED = SigningKeys.byId(List.of(BROKER.getPublic()));

    /** The compact JSON the broker's ObjectMapper writes (the golden fixture's content). */
    static final String APPROVED = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/portcullis/identity-broker\","
            + "\"type\":\"review.approved\",\"subject\":\"rev-a\",\"time\":\"2026-03-02T10:17:45.082113Z\","
            + "\"datacontenttype\":\"application/json\",\"dataschema\":\"urn:portcullis:events:v1\","
            + "\"data\":{\"review_id\":\"rev-a\",\"session_id\":\"s-1\",\"agent\":\"ci-runner\","
            + "\"connection\":\"pg-prod\",\"decision\":\"approved\",\"decided_by\":\"bob\","
            + "\"decided_at\":\"2026-03-02T10:17:45.071336Z\",\"comment\":\"ok é\"}}";

    static String signed(String json) {
        return ControlEventSignature.sign(BROKER.getPrivate(), KID, json);
    }

    static Result verify(String payload) {
        return ControlEventSignature.verify(PINNED, payload);
    }

    @Test
    void aSignedEventVerifiesAndHandsBackExactlyTheSignedEvent() {
        String s = signed(APPROVED);
        assertThat(s)
                .startsWith(APPROVED.substring(0, APPROVED.length() - 1))
                .contains(",\"signature\":\"" + KID + ":")
                .endsWith("\"}");
        Result r = verify(s);
        assertThat(r.verdict()).isEqualTo(Verdict.AUTHENTIC);
        assertThat(r.keyId()).isEqualTo(KID);
        assertThat(r.event()).isEqualTo(APPROVED);
        // as Kafka's record bytes, and with the whitespace a writer may leave at the end
        assertThat(ControlEventSignature.verify(PINNED, s.getBytes(StandardCharsets.UTF_8))
                        .event())
                .isEqualTo(APPROVED);
        assertThat(verify(s + "\n").verdict()).isEqualTo(Verdict.AUTHENTIC);
    }

    /** Every attribute and field the proxy acts on is covered: any change of one is a forgery. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"type\":\"review.approved\"=\"type\":\"review.denied\"",
                "\"subject\":\"rev-a\"=\"subject\":\"rev-b\"",
                "\"review_id\":\"rev-a\"=\"review_id\":\"rev-b\"",
                "\"agent\":\"ci-runner\"=\"agent\":\"other\"",
                "\"connection\":\"pg-prod\"=\"connection\":\"pg-dev\"",
                "\"time\":\"2026-03-02T10:17:45.082113Z\"=\"time\":\"2026-03-03T10:17:45.082113Z\"",
                "\"id\":\"e-1\"=\"id\":\"e-2\"",
                "\"dataschema\":\"urn:portcullis:events:v1\"=\"dataschema\":\"urn:portcullis:events:v2\"",
                "\"comment\":\"ok é\"=\"comment\":\"ok e\"",
                "\"specversion\":\"1.0\",=\"specversion\":\"1.0\",\"review_id\":\"rev-b\",",
                "{\"specversion\"={ \"specversion\""
            })
    void anyChangeToTheSignedEventIsAForgery(String change) {
        String[] fromTo = change.split("=", 2);
        String s = signed(APPROVED);
        String tampered = s.replace(fromTo[0], fromTo[1]);
        assertThat(tampered).isNotEqualTo(s);
        Result r = verify(tampered);
        assertThat(r.verdict()).isEqualTo(Verdict.FORGED);
        assertThat(r.event()).isNull();
    }

    @Test
    void aSignatureOfOneEventDoesNotVerifyAnother() {
        String a = signed(APPROVED);
        String signatureOfA = a.substring(a.lastIndexOf(",\"signature\""));
        String b = APPROVED.replace("rev-a", "rev-b");
        String replayed = b.substring(0, b.length() - 1) + signatureOfA;
        assertThat(verify(replayed).verdict()).isEqualTo(Verdict.FORGED);
    }

    @Test
    void anUnsignedOrStrippedEventIsMissingItsSignature() {
        assertThat(verify(APPROVED).verdict()).isEqualTo(Verdict.MISSING);
        String s = signed(APPROVED);
        String stripped = s.substring(0, s.lastIndexOf(",\"signature\"")) + "}";
        assertThat(stripped).isEqualTo(APPROVED);
        assertThat(verify(stripped).verdict()).isEqualTo(Verdict.MISSING);
        // a signature that is not the last member is not one
        String moved = "{\"signature\":" + s.substring(s.lastIndexOf(":\"" + KID) + 1, s.length() - 1) + ","
                + APPROVED.substring(1);
        assertThat(verify(moved).verdict()).isEqualTo(Verdict.MISSING);
        // nor one wrapped in another event
        assertThat(verify("{\"type\":\"review.approved\",\"inner\":" + s + "}").verdict())
                .isEqualTo(Verdict.MISSING);
        assertThat(verify(s + "}").verdict()).isEqualTo(Verdict.MISSING);
    }

    @Test
    void aForeignKeyIsUnknownAndAForeignKeyUnderAPinnedIdIsAForgery() {
        KeyPair foreign = SigningKeys.generate();
        Result unknown = ControlEventSignature.verify(
                PINNED,
                ControlEventSignature.sign(foreign.getPrivate(), SigningKeys.keyId(foreign.getPublic()), APPROVED));
        assertThat(unknown.verdict()).isEqualTo(Verdict.UNKNOWN_KEY);
        assertThat(unknown.keyId()).isEqualTo(SigningKeys.keyId(foreign.getPublic()));
        assertThat(verify(ControlEventSignature.sign(foreign.getPrivate(), KID, APPROVED))
                        .verdict())
                .isEqualTo(Verdict.FORGED);
    }

    /** The broker's key signs only with the context label: its bare signature over the event's bytes is no match. */
    @Test
    void aSignatureWithoutTheContextLabelIsAForgery() {
        byte[] bare = SigningKeys.sign(BROKER.getPrivate(), APPROVED.getBytes(StandardCharsets.UTF_8));
        String s = APPROVED.substring(0, APPROVED.length() - 1) + ",\"signature\":\"" + KID + ":"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(bare) + "\"}";
        assertThat(verify(s).verdict()).isEqualTo(Verdict.FORGED);
    }

    @Test
    void rotationPinsSeveralKeysByTheirIds() {
        KeyPair next = SigningKeys.generate();
        Map<String, PublicKey> both = SigningKeys.byId(List.of(BROKER.getPublic(), next.getPublic()));
        assertThat(ControlEventSignature.verify(both, signed(APPROVED)).verdict())
                .isEqualTo(Verdict.AUTHENTIC);
        assertThat(ControlEventSignature.verify(
                                both,
                                ControlEventSignature.sign(
                                        next.getPrivate(), SigningKeys.keyId(next.getPublic()), APPROVED))
                        .verdict())
                .isEqualTo(Verdict.AUTHENTIC);
        // the old key rotated out: its events are no longer believed
        assertThat(ControlEventSignature.verify(SigningKeys.byId(List.of(next.getPublic())), signed(APPROVED))
                        .verdict())
                .isEqualTo(Verdict.UNKNOWN_KEY);
    }

    @Test
    void whatIsNotASignatureIsNeverAuthentic() {
        String body = APPROVED.substring(0, APPROVED.length() - 1);
        for (String p : new String[] {
            "",
            "}",
            "\"}",
            "{\"signature\":\"" + KID + ":AAAA\"}",
            body + ",\"signature\":\"x\"}",
            body + ",\"signature\":\":AAAA\"}",
            body + ",\"signature\":\"" + KID + ":!!\"}",
            body + ",\"signature\":\"" + KID + ":AAAA\"}",
            body + ",\"signature\":\"" + KID + ":" + "A".repeat(86) + "\"}",
            body + ",\"signature\":\"" + KID + ":" + "A".repeat(300) + "\"}",
            body + ",\"signature\" :\"" + KID + ":" + "A".repeat(86) + "\"}"
        }) {
            Result r = verify(p);
            assertThat(r.verdict()).as(p).isNotEqualTo(Verdict.AUTHENTIC);
            assertThat(r.event()).as(p).isNull();
        }
    }

    @Test
    void onlyAnObjectWithMembersIsSigned() {
        for (String bad : new String[] {"", "{}", "{ }", "[1]", "\"x\""}) {
            assertThatThrownBy(() -> signed(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> ControlEventSignature.sign(BROKER.getPrivate(), "a:b", APPROVED))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The golden fixtures as the broker writes them now: signed, they verify, and their content is unchanged. */
    @Test
    void everyControlFixtureSignsAndVerifies() {
        for (String type : List.of(
                EventTypes.REVIEW_APPROVED,
                EventTypes.REVIEW_DENIED,
                EventTypes.REVIEW_EXPIRED,
                EventTypes.AGENT_DISABLED,
                EventTypes.GRANT_CREATED,
                EventTypes.GRANT_REVOKED,
                EventTypes.GRANT_EXPIRED)) {
            String json = EventFixtures.valid(type).json();
            Result r = verify(signed(json));
            assertThat(r.verdict()).as(type).isEqualTo(Verdict.AUTHENTIC);
            assertThat(r.event()).as(type).isEqualTo(json.strip());
        }
    }
}
