package dev.portcullis.recorder.recording;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.consume;
import static dev.portcullis.recorder.support.RecorderTestSupport.event;
import static dev.portcullis.recorder.support.RecorderTestSupport.header;
import static dev.portcullis.recorder.support.RecorderTestSupport.identity;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sendUntagged;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.EventAuth;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.recording.LedgerCheck;
import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.contracts.recording.SigningKeys;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.S3Server;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.ingest.DeadLetter;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Signed recordings against the real recorder, Kafka and S3 (docs/architecture.md "Recordings"): what it stores is
 * signed by the key it publishes, its verifier refuses unsigned and foreign-key files, an event produced straight
 * to Kafka never reaches a recording, and a whole recording deleted from the bucket is found by the ledger check.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class SignedRecordingTest {

    static final Duration FINAL = Duration.ofSeconds(60);

    static byte[] download(String id) {
        Response r = identity()
                .auth()
                .oauth2(auditorToken())
                .queryParam("format", "jsonl")
                .get("/v1/sessions/{id}/recording", id);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.asByteArray();
    }

    static JsonPath verifyOnline(byte[] file, String session) {
        var req = given().auth()
                .oauth2(auditorToken())
                .contentType("application/x-ndjson")
                .body(file);
        if (session != null) {
            req = req.queryParam("session", session);
        }
        Response r = req.post("/v1/recordings/verify");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.jsonPath();
    }

    static String recorded(Instant start) {
        String id = newSessionId("signed");
        sqlSession(id, "sign-bot", "pg-dev", start).forEach(e -> send(Topics.SESSION_EVENTS, id, e));
        assertThat(awaitFinal(id, FINAL).getString("status")).isEqualTo("complete");
        return id;
    }

    @Test
    void aRecordingIsSignedByThePublishedKey() throws Exception {
        String id = recorded(Instant.now());
        byte[] file = download(id);

        List<Map<String, Object>> keys = given().auth()
                .oauth2(auditorToken())
                .get("/v1/recordings/keys")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        assertThat(keys).hasSize(1);
        PublicKey published = SigningKeys.parsePublicKey((String) keys.get(0).get("pem"));
        assertThat(published).isEqualTo(TestKeys.signingKey().getPublic());
        assertThat(keys.get(0))
                .containsEntry("key_id", SigningKeys.keyId(published))
                .containsEntry("current", true);

        RecordingCheck.Result offline = RecordingCheck.verify(new ByteArrayInputStream(file), TestKeys.trusted());
        assertThat(offline.problems()).isEmpty();
        assertThat(offline.sessionId()).isEqualTo(id);
        assertThat(offline.keyId()).isEqualTo(SigningKeys.keyId(published));
        assertThat(offline.sourceAuth()).isEqualTo("hmac-sha256");
        assertThat(verifyOnline(file, null).getBoolean("valid")).isTrue();
        JsonPath withSession = verifyOnline(file, id);
        assertThat(withSession.getList("problems")).isEmpty();
        assertThat(withSession.getBoolean("valid")).isTrue();
        assertThat(withSession.getLong("ledger_index"))
                .isEqualTo(offline.ledgerIndex())
                .isNotNegative();
    }

    @Test
    void theVerifierRefusesAnUnsignedOrForeignKeyFile() throws Exception {
        String id = recorded(Instant.now());
        byte[] file = download(id);
        List<String> lines = new ArrayList<>(Arrays.asList(new String(file, StandardCharsets.UTF_8).split("\n")));

        byte[] unsigned =
                (String.join("\n", lines.subList(0, lines.size() - 1)) + "\n").getBytes(StandardCharsets.UTF_8);
        for (String session : new String[] {null, id}) {
            JsonPath r = verifyOnline(unsigned, session);
            assertThat(r.getBoolean("valid")).isFalse();
            assertThat(r.getList("problems", String.class)).anyMatch(p -> p.startsWith("unsigned recording"));
        }

        // the same events, one dropped, re-chained and sealed with a fresh key
        RecordingSigner attacker = new RecordingSigner(SigningKeys.generate(), List.of());
        ByteArrayOutputStream forged = new ByteArrayOutputStream();
        try (RecordingWriter w = new RecordingWriter(forged)) {
            for (String line : lines.subList(0, lines.size() - 2)) {
                JsonNode n = JsonSupport.MAPPER.readTree(line);
                if (n.get("seq").longValue() != 4) { // the denied DROP
                    w.append(n.get("seq").longValue(), n.get("event").toString());
                }
            }
            w.seal(
                    new RecordingWriter.SealInfo(
                            id,
                            "incomplete",
                            List.of(new SeqRange(4, 4)),
                            true,
                            "hmac-sha256",
                            new RecordingWriter.LedgerLink(0, -1, null)),
                    attacker);
        }
        for (String session : new String[] {null, id}) {
            JsonPath r = verifyOnline(forged.toByteArray(), session);
            assertThat(r.getBoolean("valid")).isFalse();
            assertThat(r.getList("problems", String.class))
                    .anyMatch(p -> p.contains("signed by key " + attacker.keyId() + ", which is not a trusted key"));
        }
        // the stored recording is untouched by any of this
        assertThat(download(id)).isEqualTo(file);
        assertThat(verifyOnline(file, id).getBoolean("valid")).isTrue();
    }

    @Test
    void anEventProducedStraightToKafkaIsRefusedAndTheGenuineOneRecorded() throws Exception {
        String id = newSessionId("injected");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> genuine = sqlSession(id, "inject-bot", "pg-dev", t);
        // first, by someone with write access to the topic: seq 1 untagged, seq 2 under a secret of their own,
        // seq 3 with the proxy's key id but a made-up MAC
        String injected1 = event(
                id,
                1,
                EventTypes.SESSION_REQUEST,
                t,
                "inject-bot",
                "pg-dev",
                null,
                Map.of("kind", "query", "text", "DROP TABLE audit_log"));
        sendUntagged(Topics.SESSION_EVENTS, id, injected1);
        byte[] own = "an attacker's secret, 32+ bytes long".getBytes(StandardCharsets.US_ASCII);
        String injected2 = event(
                id,
                2,
                EventTypes.SESSION_DECISION,
                t,
                "inject-bot",
                "pg-dev",
                null,
                Map.of("action", "allow", "rules", List.of("made-up")));
        sendUntagged(
                Topics.SESSION_EVENTS,
                id,
                EventAuth.append(
                        injected2,
                        EventAuth.tag(
                                EventAuth.keyId(own),
                                EventAuth.sessionKey(own, id),
                                injected2.getBytes(StandardCharsets.UTF_8))));
        String injected3 = event(id, 3, EventTypes.SESSION_OUTPUT, t, "inject-bot", "pg-dev", null, Map.of("rows", 0));
        sendUntagged(
                Topics.SESSION_EVENTS,
                id,
                EventAuth.append(injected3, EventAuth.keyId(TestKeys.eventSecret()) + ":" + "A".repeat(43)));
        // a genuine event of another session, replayed into this one
        String other = newSessionId("other");
        String replayed = TestKeys.tag(event(
                        other,
                        4,
                        EventTypes.SESSION_REQUEST,
                        t,
                        "inject-bot",
                        "pg-dev",
                        null,
                        Map.of("text", "SELECT 1")))
                .replace(other, id);
        sendUntagged(Topics.SESSION_EVENTS, id, replayed);
        // then the proxy's own events
        genuine.forEach(e -> send(Topics.SESSION_EVENTS, id, e));

        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("events")).isEqualTo(6);
        String text = new String(download(id), StandardCharsets.UTF_8);
        assertThat(text).contains("SELECT * FROM orders WHERE id = 1").doesNotContain("audit_log", "made-up");
        var parked = consume(Topics.SESSION_EVENTS_DLQ, r -> id.equals(r.key()), l -> l.size() >= 4, FINAL);
        assertThat(parked).hasSize(4);
        assertThat(parked)
                .allSatisfy(r -> assertThat(header(r, DeadLetter.HEADER_REASON)).isEqualTo("unauthenticated"));
    }

    @Test
    void aWholeRecordingDeletedFromTheBucketLeavesAGap() throws Exception {
        Instant t = Instant.now();
        List<String> ids = List.of(recorded(t), recorded(t), recorded(t));
        List<Long> indexes = new ArrayList<>();
        for (String id : ids) {
            indexes.add(RecordingCheck.verify(new ByteArrayInputStream(download(id)), TestKeys.trusted())
                    .ledgerIndex());
        }
        assertThat(indexes).isSorted();
        // every recording sealed in between (other tests' too), as an auditor would download them
        List<Map<String, Object>> ledger = given().auth()
                .oauth2(auditorToken())
                .queryParam("from", indexes.get(0))
                .queryParam("limit", indexes.get(2) - indexes.get(0) + 1)
                .get("/v1/recordings/ledger")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        assertThat(ledger).hasSize((int) (indexes.get(2) - indexes.get(0) + 1));
        List<RecordingCheck.Result> all = new ArrayList<>();
        for (Map<String, Object> e : ledger) {
            all.add(RecordingCheck.verify(
                    new ByteArrayInputStream(download((String) e.get("session_id"))), TestKeys.trusted()));
        }
        assertThat(all).allMatch(RecordingCheck.Result::valid);
        assertThat(LedgerCheck.check(all)).isEmpty();

        // someone with write access to the bucket deletes the middle recording
        String key = given().auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}", ids.get(1))
                .jsonPath()
                .getString("recording.key");
        var c = ConfigProvider.getConfig();
        try (S3Client s3 = S3Server.client(
                c.getValue("portcullis.s3.endpoint", String.class),
                c.getValue("portcullis.s3.access-key", String.class),
                c.getValue("portcullis.s3.secret-key", String.class))) {
            s3.deleteObject(d -> d.bucket(DevStack.RECORDINGS_BUCKET).key(key));
        }
        List<RecordingCheck.Result> left =
                all.stream().filter(r -> !r.sessionId().equals(ids.get(1))).toList();
        assertThat(LedgerCheck.check(left))
                .containsExactly("recording #" + indexes.get(1) + " (session " + ids.get(1) + ", named by #"
                        + (indexes.get(1) + 1) + ") is missing");
    }
}
