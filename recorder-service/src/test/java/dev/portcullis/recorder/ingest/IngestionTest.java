package dev.portcullis.recorder.ingest;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static dev.portcullis.recorder.support.RecorderTestSupport.awaitFinal;
import static dev.portcullis.recorder.support.RecorderTestSupport.consume;
import static dev.portcullis.recorder.support.RecorderTestSupport.event;
import static dev.portcullis.recorder.support.RecorderTestSupport.header;
import static dev.portcullis.recorder.support.RecorderTestSupport.identity;
import static dev.portcullis.recorder.support.RecorderTestSupport.newSessionId;
import static dev.portcullis.recorder.support.RecorderTestSupport.send;
import static dev.portcullis.recorder.support.RecorderTestSupport.sleep;
import static dev.portcullis.recorder.support.RecorderTestSupport.sqlSession;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.contracts.recording.RecordingCheck;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.S3Server;
import dev.portcullis.recorder.events.JsonSupport;
import dev.portcullis.recorder.events.SessionEventParser;
import dev.portcullis.recorder.recording.RecordingVerifier;
import dev.portcullis.recorder.recording.RecordingWriter;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.TestKeys;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class IngestionTest {

    static final Duration FINAL = Duration.ofSeconds(60);

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static byte[] download(String id, String format) {
        Response r = identity()
                .auth()
                .oauth2(auditorToken())
                .queryParam("format", format)
                .get("/v1/sessions/{id}/recording", id);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        return r.asByteArray();
    }

    static S3Client s3() {
        var c = ConfigProvider.getConfig();
        return S3Server.client(
                c.getValue("portcullis.s3.endpoint", String.class),
                c.getValue("portcullis.s3.access-key", String.class),
                c.getValue("portcullis.s3.secret-key", String.class));
    }

    @Test
    void anOpenSessionShowsWhatIsStagedAndCannotBeDownloadedYet() {
        String id = newSessionId("open");
        List<String> events = sqlSession(id, "backup-agent", "pg-prod", Instant.now());
        events.subList(0, 3).forEach(e -> send(Topics.SESSION_EVENTS, id, e));
        long deadline = System.nanoTime() + FINAL.toNanos();
        JsonPath s;
        do {
            sleep(250);
            Response r = given().auth().oauth2(auditorToken()).get("/v1/sessions/{id}", id);
            s = r.statusCode() == 200 ? r.jsonPath() : null;
        } while ((s == null || s.getLong("events") < 3) && System.nanoTime() < deadline);
        assertThat(s).as("session %s staged", id).isNotNull();
        assertThat(s.getString("status")).isEqualTo("recording");
        assertThat(s.getLong("events")).isEqualTo(3);
        identity()
                .auth()
                .oauth2(auditorToken())
                .get("/v1/sessions/{id}/recording", id)
                .then()
                .statusCode(409);
    }

    @Test
    void aHeldRequestCountsOnceAsReviewedAndARefusedOneAsDenied() {
        // the proxy's shape: the policy's "review", the hold ("waiting"), then the outcome
        String id = newSessionId("reviews");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String a = "deploy-bot";
        String c = "pg-prod";
        List<String> e = List.of(
                event(id, 0, EventTypes.SESSION_STARTED, t, a, c, "postgres", Map.of()),
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        t,
                        a,
                        c,
                        null,
                        Map.of("kind", "query", "text", "DELETE FROM orders")),
                event(id, 2, EventTypes.SESSION_DECISION, t, a, c, null, Map.of("request_seq", 1, "action", "review")),
                event(
                        id,
                        3,
                        EventTypes.SESSION_DECISION,
                        t,
                        a,
                        c,
                        null,
                        Map.of("request_seq", 1, "action", "review", "review_id", "r-1", "state", "waiting")),
                event(
                        id,
                        4,
                        EventTypes.SESSION_DECISION,
                        t,
                        a,
                        c,
                        null,
                        Map.of("request_seq", 1, "action", "allow", "review_id", "r-1", "state", "approved")),
                event(
                        id,
                        5,
                        EventTypes.SESSION_REQUEST,
                        t,
                        a,
                        c,
                        null,
                        Map.of("kind", "query", "text", "DELETE FROM invoices")),
                event(id, 6, EventTypes.SESSION_DECISION, t, a, c, null, Map.of("request_seq", 5, "action", "review")),
                event(
                        id,
                        7,
                        EventTypes.SESSION_DECISION,
                        t,
                        a,
                        c,
                        null,
                        Map.of("request_seq", 5, "action", "review", "review_id", "r-2", "state", "waiting")),
                event(
                        id,
                        8,
                        EventTypes.SESSION_DECISION,
                        t,
                        a,
                        c,
                        null,
                        Map.of("request_seq", 5, "action", "deny", "review_id", "r-2", "state", "denied")),
                event(id, 9, EventTypes.SESSION_ENDED, t, a, c, null, Map.of("reason", "client_closed")));
        e.forEach(ev -> send(Topics.SESSION_EVENTS, id, ev));
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("requests")).isEqualTo(2);
        assertThat(s.getLong("reviews")).isEqualTo(2);
        assertThat(s.getLong("denials")).isEqualTo(1);
    }

    @Test
    void aV2SessionCountsTheDecisionsItsRequestsCarry() throws Exception {
        // v2: the decision rides in its session.request, no session.decision follows it; a review's outcome still
        // comes as a session.decision
        String id = newSessionId("v2");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String a = "deploy-bot";
        String c = "pg-prod";
        Map<String, Object> allow = Map.of(
                "action",
                "allow",
                "reasons",
                List.of(),
                "rules",
                List.of("read-ok"),
                "decision_id",
                "d-1",
                "cached",
                false);
        Map<String, Object> deny = Map.of(
                "action",
                "deny",
                "reasons",
                List.of("no write grant"),
                "rules",
                List.of("write-with-grant"),
                "decision_id",
                "d-2",
                "cached",
                false);
        Map<String, Object> held = Map.of(
                "action",
                "review",
                "reasons",
                List.of(),
                "rules",
                List.of("prod-delete-review"),
                "decision_id",
                "d-3",
                "cached",
                false,
                "review_id",
                "r-9",
                "state",
                "waiting");
        List<String> e = List.of(
                event(id, 0, EventTypes.SESSION_STARTED, t, a, c, "postgres", Map.of()),
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        t,
                        a,
                        c,
                        null,
                        Map.of("text", "SELECT 1", SessionEventFields.DECISION, allow)),
                event(id, 2, EventTypes.SESSION_OUTPUT, t, a, c, null, Map.of("request_seq", 1, "rows", 1)),
                event(
                        id,
                        3,
                        EventTypes.SESSION_REQUEST,
                        t,
                        a,
                        c,
                        null,
                        Map.of("text", "DROP TABLE x", SessionEventFields.DECISION, deny)),
                event(
                        id,
                        4,
                        EventTypes.SESSION_REQUEST,
                        t,
                        a,
                        c,
                        null,
                        Map.of("text", "DELETE FROM y", SessionEventFields.DECISION, held)),
                event(
                        id,
                        5,
                        EventTypes.SESSION_DECISION,
                        t,
                        a,
                        c,
                        null,
                        Map.of("request_seq", 4, "action", "allow", "review_id", "r-9", "state", "approved")),
                event(id, 6, EventTypes.SESSION_OUTPUT, t, a, c, null, Map.of("request_seq", 4, "rows", 3)),
                event(id, 7, EventTypes.SESSION_ENDED, t, a, c, null, Map.of("reason", "client_closed")));
        e.forEach(ev -> send(Topics.SESSION_EVENTS, id, v2(ev)));
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("events")).isEqualTo(8);
        assertThat(s.getLong("requests")).isEqualTo(3);
        assertThat(s.getLong("denials")).isEqualTo(1);
        assertThat(s.getLong("reviews")).isEqualTo(1);
        byte[] body = download(id, "jsonl");
        RecordingCheck.Result v = RecordingVerifier.verify(
                new ByteArrayInputStream(body),
                TestKeys.trusted(),
                new RecordingVerifier.Expected(
                        id, s.getString("recording.sha256"), s.getString("recording.chain_head")));
        assertThat(v.problems()).isEmpty();
        assertThat(new String(body, StandardCharsets.UTF_8))
                .contains("\"dataschema\":\"" + CloudEvent.DATASCHEMA_SESSION_V2 + "\"");
    }

    /** The event marked as the contract's second version of session events. */
    static String v2(String json) {
        try {
            var root = (ObjectNode) JsonSupport.MAPPER.readTree(json);
            root.put(CloudEvent.Attr.DATASCHEMA, CloudEvent.DATASCHEMA_SESSION_V2);
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void completeSessionIsStoredInS3AndDownloadableWithMatchingSha256() throws Exception {
        String id = newSessionId("complete");
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (String e : sqlSession(id, "backup-agent", "pg-prod", start)) {
            send(Topics.SESSION_EVENTS, id, e);
        }
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("events")).isEqualTo(6);
        assertThat(s.getLong("requests")).isEqualTo(1);
        assertThat(s.getLong("denials")).isEqualTo(1);
        assertThat(s.getLong("reviews")).isZero();
        assertThat(s.getString("agent")).isEqualTo("backup-agent");
        assertThat(s.getString("protocol")).isEqualTo("postgres");
        assertThat(s.getMap("tags")).containsEntry("env", "prod"); // from the connections file

        Response r = identity().auth().oauth2(auditorToken()).get("/v1/sessions/{id}/recording", id);
        assertThat(r.statusCode()).isEqualTo(200);
        byte[] body = r.asByteArray();
        String sha = sha256(body);
        assertThat(sha).isEqualTo(s.getString("recording.sha256")).isEqualTo(r.header("X-Portcullis-Sha256"));
        assertThat(r.header("Repr-Digest"))
                .isEqualTo("sha-256=:"
                        + java.util.Base64.getEncoder()
                                .encodeToString(HexFormat.of().parseHex(sha)) + ":");
        assertThat(r.header("Content-Length")).isEqualTo(Long.toString(body.length));
        assertThat(s.getLong("recording.size_bytes")).isEqualTo(body.length);
        String key = s.getString("recording.key");
        // stored gzip-compressed under the key with .gz; its own size and SHA-256 beside the uncompressed ones
        assertThat(key).matches("recordings/\\d{4}/\\d{2}/\\d{2}/" + id + "\\.jsonl\\.gz");
        assertThat(s.getString("recording.encoding")).isEqualTo("gzip");

        try (S3Client s3 = s3()) {
            var object = s3.getObjectAsBytes(
                    g -> g.bucket(DevStack.RECORDINGS_BUCKET).key(key));
            byte[] stored = object.asByteArray();
            assertThat(stored.length).isEqualTo(s.getLong("recording.stored_size_bytes"));
            assertThat(object.response().contentType()).isEqualTo("application/gzip");
            try (var in = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(stored))) {
                assertThat(in.readAllBytes()).isEqualTo(body);
            }
        }
        RecordingCheck.Result v = RecordingVerifier.verify(
                new ByteArrayInputStream(body),
                TestKeys.trusted(),
                new RecordingVerifier.Expected(id, sha, s.getString("recording.chain_head")));
        assertThat(v.problems()).isEmpty();
        assertThat(v.events()).isEqualTo(6);
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < 6; i++) {
            assertThat(JsonSupport.MAPPER
                            .readTree(lines[i])
                            .at("/event/data/seq")
                            .longValue())
                    .isEqualTo(i);
        }
    }

    @Test
    void redeliveredAndReorderedEventsGiveTheSameRecording() throws Exception {
        String id = newSessionId("shuffled");
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> events = new ArrayList<>(sqlSession(id, "ci-runner", "pg-dev", start));
        for (int i = 6; i < 30; i++) { // a longer session: ended is last
            events.add(
                    events.size() - 1,
                    event(
                            id,
                            i - 1,
                            EventTypes.SESSION_REQUEST,
                            start.plusMillis(i),
                            "ci-runner",
                            "pg-dev",
                            null,
                            Map.of("text", "SELECT " + i)));
        }
        // renumber: sqlSession's ended was seq 5; give every event its position as seq
        List<String> ordered = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode n = JsonSupport.MAPPER.readTree(events.get(i));
            ((ObjectNode) n.get("data")).put("seq", i);
            ordered.add(n.toString());
        }
        // the event lines those events must give, computed independently of the recorder (the seal names the
        // recording's ledger position, which only the recorder knows)
        SessionEventParser parser = new SessionEventParser(1 << 20);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (RecordingWriter w = new RecordingWriter(expected)) {
            for (int i = 0; i < ordered.size(); i++) {
                w.append(
                        i,
                        // as published: with the proxy's tag, which the recording keeps
                        parser.parse(TestKeys.tag(ordered.get(i)).getBytes(StandardCharsets.UTF_8))
                                .event()
                                .json());
            }
        }
        List<String> delivery = new ArrayList<>(ordered);
        delivery.addAll(ordered); // everything twice
        Collections.shuffle(delivery, new Random(42));
        for (String e : delivery) {
            send(Topics.SESSION_EVENTS, id, e);
        }
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("events")).isEqualTo(ordered.size());
        byte[] body = download(id, "jsonl");
        String text = new String(body, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.split("\n"));
        assertThat(String.join("\n", lines.subList(0, lines.size() - 2)) + "\n")
                .isEqualTo(expected.toString(StandardCharsets.UTF_8));
        assertThat(s.getString("recording.sha256")).isEqualTo(sha256(body));
        RecordingCheck.Result v = RecordingVerifier.verify(
                new ByteArrayInputStream(body), TestKeys.trusted(), new RecordingVerifier.Expected(id, null, null));
        assertThat(v.problems()).isEmpty();
        assertThat(v.status()).isEqualTo("complete");
    }

    @Test
    void missingSeqMarksTheRecordingIncompleteWithTheMissingRange() throws Exception {
        String id = newSessionId("gap");
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> events = sqlSession(id, "report-bot", "pg-dev", start);
        for (int i : new int[] {0, 1, 4, 5}) { // 2 and 3 never arrive
            send(Topics.SESSION_EVENTS, id, events.get(i));
        }
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("incomplete");
        assertThat(s.getList("missing")).hasSize(1);
        assertThat(s.getList("missing[0]", Long.class)).containsExactly(2L, 3L);
        assertThat(s.getBoolean("ended")).isTrue();
        byte[] body = download(id, "jsonl");
        RecordingCheck.Result v = RecordingVerifier.verify(
                new ByteArrayInputStream(body),
                TestKeys.trusted(),
                new RecordingVerifier.Expected(id, s.getString("recording.sha256"), null));
        assertThat(v.valid()).as(v.problems().toString()).isTrue();
        assertThat(v.status()).isEqualTo("incomplete");
        assertThat(v.events()).isEqualTo(4);

        // seq 2 arriving after the recording was closed is parked, not silently dropped
        send(Topics.SESSION_EVENTS, id, events.get(2));
        var parked =
                consume(Topics.SESSION_EVENTS_DLQ, r -> id.equals(r.key()), l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertThat(parked).hasSize(1);
        assertThat(header(parked.get(0), DeadLetter.HEADER_REASON)).isEqualTo("session-closed");
    }

    @Test
    void sshSessionProducesAPlayableAsciicastV2File() throws Exception {
        String id = newSessionId("ssh");
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String a = "deploy-bot";
        String c = "ssh-bastion";
        send(
                Topics.SESSION_EVENTS,
                id,
                event(
                        id,
                        0,
                        EventTypes.SESSION_STARTED,
                        start,
                        a,
                        c,
                        "ssh",
                        Map.of("pty", Map.of("cols", 100, "rows", 30, "term", "xterm"))));
        send(
                Topics.SESSION_EVENTS,
                id,
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        start.plusMillis(200),
                        a,
                        c,
                        null,
                        Map.of("kind", "exec", "command", "uptime")));
        send(
                Topics.SESSION_EVENTS,
                id,
                event(
                        id,
                        2,
                        EventTypes.SESSION_DECISION,
                        start.plusMillis(210),
                        a,
                        c,
                        null,
                        Map.of("action", "allow")));
        send(
                Topics.SESSION_EVENTS,
                id,
                event(
                        id,
                        3,
                        EventTypes.SESSION_OUTPUT,
                        start.plusMillis(900),
                        a,
                        c,
                        null,
                        Map.of("output", " 03:12:00 up 3 days,  load average: 0.10\r\n")));
        send(
                Topics.SESSION_EVENTS,
                id,
                event(id, 4, EventTypes.SESSION_ENDED, start.plusMillis(1000), a, c, null, Map.of("exit_status", 0)));
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getString("cast.key")).endsWith(id + ".cast.gz");
        assertThat(s.getString("cast.encoding")).isEqualTo("gzip");
        byte[] cast = download(id, "cast");
        assertThat(sha256(cast)).isEqualTo(s.getString("cast.sha256"));
        assertThat((long) cast.length).isEqualTo(s.getLong("cast.size_bytes"));
        String[] lines = new String(cast, StandardCharsets.UTF_8).split("\n");
        JsonNode header = JsonSupport.MAPPER.readTree(lines[0]);
        assertThat(header.get("version").intValue()).isEqualTo(2);
        assertThat(header.get("width").intValue()).isEqualTo(100);
        assertThat(header.get("height").intValue()).isEqualTo(30);
        assertThat(lines).hasSize(3);
        double last = -1;
        for (int i = 1; i < lines.length; i++) {
            JsonNode ev = JsonSupport.MAPPER.readTree(lines[i]);
            assertThat(ev.isArray()).isTrue();
            assertThat(ev.size()).isEqualTo(3);
            assertThat(ev.get(0).isNumber()).isTrue();
            assertThat(ev.get(0).doubleValue()).isGreaterThanOrEqualTo(last);
            last = ev.get(0).doubleValue();
            assertThat(ev.get(1).textValue()).isIn("o", "i");
        }
        assertThat(JsonSupport.MAPPER.readTree(lines[2]).get(2).textValue()).contains("load average");
        assertThat(JsonSupport.MAPPER.readTree(lines[2]).get(0).doubleValue()).isEqualTo(0.9);
        // the JSON Lines event file exists for SSH too
        assertThat(s.getString("recording.key")).endsWith(id + ".jsonl.gz");
    }

    @Test
    void badInputIsDeadLetteredWhileGoodEventsKeepFlowing() throws Exception {
        String key = newSessionId("bad");
        // same key → same partition as the good session that follows
        send(Topics.SESSION_EVENTS, key, "{not json".getBytes(StandardCharsets.UTF_8));
        send(Topics.SESSION_EVENTS, key, "{\"type\":\"session.teleported\",\"session_id\":\"" + key + "\",\"seq\":0}");
        send(
                Topics.SESSION_EVENTS,
                key,
                "{\"type\":\"" + EventTypes.SESSION_REQUEST + "\",\"session_id\":\"" + key + "\"}");
        byte[] huge = ("{\"type\":\"" + EventTypes.SESSION_OUTPUT + "\",\"session_id\":\"" + key
                        + "\",\"seq\":1,\"output\":\"" + "x".repeat(300_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        send(Topics.SESSION_EVENTS, key, huge);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (String e : sqlSession(key, "etl-bot", "pg-dev", start)) {
            send(Topics.SESSION_EVENTS, key, e);
        }
        JsonPath s = awaitFinal(key, FINAL);
        assertThat(s.getString("status")).isEqualTo("complete");
        assertThat(s.getLong("events")).isEqualTo(6);

        var parked = consume(
                Topics.SESSION_EVENTS_DLQ, r -> key.equals(r.key()), l -> l.size() >= 4, Duration.ofSeconds(30));
        assertThat(parked)
                .extracting(r -> header(r, DeadLetter.HEADER_REASON))
                .containsExactly("malformed", "unknown-type", "missing-field", "too-large");
        assertThat(header(parked.get(0), DeadLetter.HEADER_SOURCE)).startsWith(Topics.SESSION_EVENTS + "-");
        assertThat(new String(parked.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics)
                .contains("recorder_dead_letters_total{reason=\"malformed\",topic=\"" + Topics.SESSION_EVENTS + "\"}");
    }

    @Test
    void sessionOpenPastItsMaxDurationIsClosedIncomplete() {
        String id = newSessionId("overrun");
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // pg-short: maxSessionDuration PT2S in the test connections file, grace 1 s
        send(
                Topics.SESSION_EVENTS,
                id,
                event(id, 0, EventTypes.SESSION_STARTED, start, "slow-bot", "pg-short", "postgres", Map.of()));
        send(
                Topics.SESSION_EVENTS,
                id,
                event(
                        id,
                        1,
                        EventTypes.SESSION_REQUEST,
                        start.plusMillis(10),
                        "slow-bot",
                        "pg-short",
                        null,
                        Map.of("text", "SELECT pg_sleep(3600)")));
        JsonPath s = awaitFinal(id, FINAL);
        assertThat(s.getString("status")).isEqualTo("incomplete");
        assertThat(s.getBoolean("ended")).isFalse();
        assertThat(s.getLong("events")).isEqualTo(2);
    }
}
