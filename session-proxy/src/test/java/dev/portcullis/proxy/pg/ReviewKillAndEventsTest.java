package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.Topics;
import dev.portcullis.contracts.events.CloudEvent;
import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.SessionEventFields;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.KafkaProbe;
import dev.portcullis.proxy.LogCapture;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.enforcement.ControlEventsListener;
import dev.portcullis.proxy.enforcement.SessionContext;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class ReviewKillAndEventsTest {

    @Inject
    PgListener listener;

    @Inject
    ControlEventsListener control;

    int port;
    String token;

    @BeforeEach
    void setUp() throws Exception {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
        dev.portcullis.proxy.ProxyReadiness.await(); // readiness includes the control-events consumer
        assertTrue(control.isReady(), "control events consumer ready");
    }

    private static JsonObject decision(String type, String reviewId) {
        return new JsonObject()
                .put("specversion", "1.0")
                .put("id", java.util.UUID.randomUUID().toString())
                .put("source", "/test")
                .put("type", type)
                .put("subject", reviewId)
                .put("data", new JsonObject().put("review_id", reviewId).put("by", "bob-approver"));
    }

    private int count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void deleteWithoutWhereWaitsForReviewRunsAfterApprovalNotAfterDenial() throws Exception {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS held",
                        "CREATE TABLE held (id int)",
                        "ALTER TABLE held OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO held SELECT generate_series(1, 3)");
        // a write token: the approved DELETE runs as demo_app (a read session's role may not delete)
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS);
                Connection c = PgClients.jdbc(port, Agents.demoAgentWriteToken(), "review-test");
                Statement s = c.createStatement()) {
            // denied: 42501, rows stay
            CompletableFuture<SQLException> denied = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("DELETE FROM held");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            JsonObject req = requests.await(
                    e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                            && e.getJsonObject("data")
                                    .getJsonObject("request")
                                    .getString("text")
                                    .equals("DELETE FROM held"),
                    Duration.ofSeconds(10));
            String reviewId = req.getJsonObject("data").getString("review_id");
            assertEquals("demo-agent", req.getJsonObject("data").getString("agent"));
            assertEquals(List.of(), KafkaProbe.contractProblems(req));
            Thread.sleep(300);
            assertFalse(denied.isDone(), "the statement is held");
            KafkaProbe.publish(Topics.REVIEW_DECISIONS, reviewId, decision(EventTypes.REVIEW_DENIED, reviewId));
            SQLException e = denied.get(10, TimeUnit.SECONDS);
            assertNotNull(e, "denied review refuses the statement");
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("review " + reviewId + " was denied"), e.getMessage());
            assertEquals(3, count(s, "held"));

            // approved: runs, and the client saw the notice
            CompletableFuture<SQLException> approved = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("DELETE FROM held");
                    return null;
                } catch (SQLException ex) {
                    return ex;
                }
            });
            JsonObject req2 = requests.await(
                    x -> EventTypes.REVIEW_REQUESTED.equals(x.getString("type"))
                            && !x.getJsonObject("data").getString("review_id").equals(reviewId),
                    Duration.ofSeconds(10));
            String reviewId2 = req2.getJsonObject("data").getString("review_id");
            Thread.sleep(300);
            assertFalse(approved.isDone(), "the statement is held");
            KafkaProbe.publish(Topics.REVIEW_DECISIONS, reviewId2, decision(EventTypes.REVIEW_APPROVED, reviewId2));
            assertEquals(null, approved.get(10, TimeUnit.SECONDS));
            SQLWarning w = s.getWarnings();
            assertNotNull(w);
            assertTrue(w.getMessage().contains("waiting for approval, review " + reviewId2), w.getMessage());
            assertEquals(0, count(s, "held"));
        }
    }

    @Test
    void reviewWithoutDecisionExpiresWithoutRunning() throws Exception {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS held2",
                        "CREATE TABLE held2 (id int)",
                        "ALTER TABLE held2 OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO held2 VALUES (1)");
        try (Connection c = PgClients.jdbc(port, token, "review-expiry");
                Statement s = c.createStatement();
                Connection other = PgClients.jdbc(port, token, "not-held");
                Statement o = other.createStatement()) {
            CompletableFuture<SQLException> held = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("UPDATE held2 SET id = 2");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            Thread.sleep(500);
            // a held statement does not block other sessions
            long t0 = System.nanoTime();
            assertEquals(1, count(o, "held2"));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
            SQLException e = held.get(20, TimeUnit.SECONDS); // portcullis.review.timeout=8s in tests
            assertNotNull(e);
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT id FROM held2")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void disablingTheAgentKillsItsLiveSession() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "kill-test");
                Statement s = c.createStatement()) {
            assertEquals(5, count(s, "scratch"));
            JsonObject event = new JsonObject()
                    .put("specversion", "1.0")
                    .put("id", "e1")
                    .put("source", "/test")
                    .put("type", EventTypes.AGENT_DISABLED)
                    .put("subject", "demo-agent")
                    .put("data", new JsonObject().put("agent", "demo-agent").put("reason", "disabled"));
            long t0 = System.nanoTime();
            KafkaProbe.publish(Topics.IDENTITY_EVENTS, "demo-agent", event);
            SQLException e = null;
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
                try {
                    s.executeQuery("SELECT 1").close();
                    Thread.sleep(50);
                } catch (SQLException ex) {
                    e = ex;
                    break;
                }
            }
            assertNotNull(e, "the session was terminated");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "within about a second");
            assertTrue(
                    e.getMessage().contains("agent demo-agent was disabled") || "08006".equals(e.getSQLState()),
                    e.getSQLState() + " " + e.getMessage());
        }
        // the token is still valid for Keycloak until it expires, but it predates the kill switch
        SQLException refused = assertThrows(
                SQLException.class,
                () -> PgClients.jdbc(port, token, "kill-test-again").close());
        assertEquals("28000", refused.getSQLState(), refused.getMessage());
        assertTrue(refused.getMessage().contains("access of agent demo-agent was ended"), refused.getMessage());
        // a token issued after it is accepted (re-enabling is Keycloak's business: the client can log in again); iat
        // has whole seconds and a token of the kill switch's own second is cut off too, so it must be a later second
        dev.portcullis.proxy.ProxyReadiness.afterKillSwitch("demo-agent");
        try (Connection again = PgClients.jdbc(port, Agents.demoAgentToken(), "kill-test-new-token")) {
            assertTrue(again.isValid(5));
        }
    }

    /**
     * A PostgreSQL session is one trace: its session events carry the session span's traceparent, and
     * each policy call goes out with a client span of that trace, which policy-service continues.
     */
    @Test
    void aSessionIsOneTraceFromItsPolicyCallsToItsEvents() throws Exception {
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            try (Connection c = PgClients.jdbc(port, token, "trace-test");
                    Statement s = c.createStatement()) {
                // a shape no other test uses, so policy is asked rather than the decision cache
                s.executeQuery("SELECT count(*) AS traced FROM scratch WHERE id > 41")
                        .close();
            }
            JsonObject started = events.await(
                    e -> EventTypes.SESSION_STARTED.equals(e.getString("type"))
                            && "trace-test".equals(e.getJsonObject("data").getString("application_name")),
                    Duration.ofSeconds(10));
            String sessionId = started.getString("session_id");
            events.await(
                    e -> EventTypes.SESSION_ENDED.equals(e.getString("type"))
                            && sessionId.equals(e.getString("session_id")),
                    Duration.ofSeconds(10));
            List<JsonObject> mine = events.session(sessionId, "demo-agent", "pg-demo");
            String[] first = events.traceparent(mine.get(0)).split("-");
            assertEquals(4, first.length);
            for (JsonObject e : mine) {
                assertEquals(
                        String.join("-", first),
                        events.traceparent(e),
                        "every event of the session carries the session span: " + e.getString("type"));
            }
            List<String> calls = ProxyTestResource.policy().traceparents.get(sessionId);
            assertNotNull(calls, "policy was asked for this session");
            for (String call : calls) {
                String[] tp = call.split("-");
                assertEquals(first[1], tp[1], "the policy call is in the session's trace");
                assertNotEquals(first[2], tp[2], "under a client span of its own");
            }
        }
    }

    /** What is logged for a session carries its id, protocol and trace as MDC, not in the text. */
    @Test
    void aRefusedLoginIsLoggedWithTheSessionsKeysAndTrace() throws Exception {
        try (LogCapture log = LogCapture.of(PgSession.class)) {
            assertThrows(SQLException.class, () -> PgClients.jdbc(port, Agents.tampered(token), "mdc-test"));
            ExtLogRecord refused = log.await("login from", Duration.ofSeconds(10));
            assertTrue(LogCapture.message(refused).contains("refused for connection pg-demo"), refused::getMessage);
            String sessionId = refused.getMdc(SessionContext.SESSION_ID);
            assertNotNull(sessionId);
            assertFalse(LogCapture.message(refused).contains(sessionId), "the id is not pasted into the text");
            assertEquals("postgres", refused.getMdc(SessionContext.PROTOCOL));
            assertNull(refused.getMdc(SessionContext.AGENT), "no agent before a valid token");
            assertTrue(String.valueOf(refused.getMdc("traceId")).matches("[0-9a-f]{32}"), refused.getMdc("traceId"));
            assertFalse(LogCapture.message(refused).contains(token.substring(token.length() - 20)), "no token");
        }
    }

    /**
     * Issue 17: a review carries the session so far, the statements before the held one as the recording has them
     * (a card number in the SQL masked) with their decisions and seqs, not the held statement itself; and the rule ids
     * beside the reasons.
     */
    @Test
    void aReviewCarriesTheSessionSoFarAsRecordedMasked() throws Exception {
        ProxyTestResource.stack()
                .postgres()
                .execute(
                        ProxyTestResource.DATABASE,
                        "DROP TABLE IF EXISTS held_history",
                        "CREATE TABLE held_history (id int)",
                        "ALTER TABLE held_history OWNER TO " + ProxyTestResource.ROLE,
                        "INSERT INTO held_history SELECT generate_series(1, 4)");
        String select = "SELECT count(*) FROM scratch WHERE id::text = '4111111111111111'";
        try (KafkaProbe requests = new KafkaProbe(Topics.REVIEW_REQUESTS);
                KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS);
                Connection c = PgClients.jdbc(port, Agents.demoAgentWriteToken(), "history-test");
                Statement s = c.createStatement()) {
            s.executeQuery(select).close();
            assertThrows(SQLException.class, () -> s.execute("DROP TABLE scratch"));
            CompletableFuture<SQLException> held = CompletableFuture.supplyAsync(() -> {
                try {
                    s.execute("DELETE FROM held_history");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            JsonObject req = requests.await(
                    e -> EventTypes.REVIEW_REQUESTED.equals(e.getString("type"))
                            && "DELETE FROM held_history"
                                    .equals(e.getJsonObject("data")
                                            .getJsonObject("request")
                                            .getString("text")),
                    Duration.ofSeconds(10));
            JsonObject data = req.getJsonObject("data");
            assertEquals(List.of(), KafkaProbe.contractProblems(req));
            assertEquals(
                    List.of("bulk-change-review"), data.getJsonArray("rules").getList());

            JsonArray history = data.getJsonArray("history");
            assertNotNull(history, "the review carries the session so far");
            assertTrue(history.size() >= 2 && history.size() <= 10, history.encode());
            JsonObject selected = history.getJsonObject(history.size() - 2);
            JsonObject dropped = history.getJsonObject(history.size() - 1);
            assertEquals("SELECT count(*) FROM scratch WHERE id::text = '[REDACTED]'", selected.getString("request"));
            assertEquals("allow", selected.getString("action"));
            assertEquals("DROP TABLE scratch", dropped.getString("request"));
            assertEquals("deny", dropped.getString("action"));
            long heldSeq = data.getLong("request_seq");
            assertTrue(selected.getLong("seq") < dropped.getLong("seq") && dropped.getLong("seq") < heldSeq);
            assertFalse(history.encode().contains("4111111111111111"), "no unmasked card number in the history");
            assertTrue(
                    history.stream()
                            .noneMatch(
                                    h -> ((JsonObject) h).getString("request").contains("held_history")),
                    "the held statement is the review's request, not its history");

            // each entry is the session's recorded request of that seq, as recorded
            String sessionId = data.getString("session_id");
            for (Object o : history) {
                JsonObject h = (JsonObject) o;
                JsonObject recorded = events.await(
                        e -> sessionId.equals(e.getString("session_id"))
                                && h.getLong("seq").equals(e.getLong("seq")),
                        Duration.ofSeconds(10));
                assertEquals(EventTypes.SESSION_REQUEST, recorded.getString("type"));
                assertEquals(recorded.getJsonObject("data").getString("text"), h.getString("request"));
            }

            String reviewId = data.getString("review_id");
            KafkaProbe.publish(Topics.REVIEW_DECISIONS, reviewId, decision(EventTypes.REVIEW_DENIED, reviewId));
            SQLException refused = held.get(10, TimeUnit.SECONDS);
            assertNotNull(refused);
            assertEquals("42501", refused.getSQLState());
            assertEquals(4, count(s, "held_history"));
        }
    }

    @Test
    void sessionEventsReachKafkaInOrderWithoutGapsAndMasked() throws Exception {
        try (KafkaProbe events = new KafkaProbe(Topics.SESSION_EVENTS)) {
            try (Connection c = PgClients.jdbc(port, token, "events-test");
                    Statement s = c.createStatement()) {
                s.executeQuery("SELECT card_number FROM customers").close();
                s.executeQuery("SELECT count(*) FROM scratch WHERE note_card = '4111111111111111'"
                                .replace("note_card", "id::text"))
                        .close();
                s.executeQuery("SELECT count(*) FROM customers WHERE email = 'ada.lovelace@example.com'")
                        .close();
                assertThrows(SQLException.class, () -> s.execute("DROP TABLE scratch"));
            }
            JsonObject started = events.await(
                    e -> EventTypes.SESSION_STARTED.equals(e.getString("type"))
                            && "events-test".equals(e.getJsonObject("data").getString("application_name")),
                    Duration.ofSeconds(10));
            String sessionId = started.getString("session_id");
            JsonObject ended = events.await(
                    e -> EventTypes.SESSION_ENDED.equals(e.getString("type"))
                            && sessionId.equals(e.getString("session_id")),
                    Duration.ofSeconds(10));
            List<JsonObject> mine = events.seen().stream()
                    .filter(e -> sessionId.equals(e.getString("session_id")))
                    .toList();
            for (int i = 0; i < mine.size(); i++) {
                assertEquals(i, mine.get(i).getLong("seq"), "seq " + i + " in order, no gaps");
                assertEquals("demo-agent", mine.get(i).getString("agent"));
                assertEquals("pg-demo", mine.get(i).getString("connection"));
                assertNotNull(mine.get(i).getString("time"));
                assertEquals(List.of(), KafkaProbe.contractProblems(mine.get(i)));
            }
            assertEquals(EventTypes.SESSION_STARTED, mine.get(0).getString("type"));
            assertEquals(ended, mine.get(mine.size() - 1), "nothing is recorded after session.ended");
            // like SSH and HTTP: session.ended counts the session's requests
            long requests = mine.stream()
                    .filter(e -> EventTypes.SESSION_REQUEST.equals(e.getString("type")))
                    .count();
            assertEquals(requests, ended.getJsonObject("data").getLong("requests"));
            assertFalse(ended.getJsonObject("data").containsKey("statements"));
            // the deny is recorded with its request, in one v2 session.request (before the statement would run)
            assertTrue(mine.stream()
                    .anyMatch(e -> EventTypes.SESSION_REQUEST.equals(e.getString("type"))
                            && CloudEvent.DATASCHEMA_SESSION_V2.equals(e.getString(CloudEvent.Attr.DATASCHEMA))
                            && e.getJsonObject("data").getJsonObject(SessionEventFields.DECISION) != null
                            && "deny"
                                    .equals(e.getJsonObject("data")
                                            .getJsonObject(SessionEventFields.DECISION)
                                            .getString(SessionEventFields.ACTION))));
            assertTrue(
                    mine.stream().noneMatch(e -> EventTypes.SESSION_DECISION.equals(e.getString("type"))),
                    "no separate session.decision for a decision the request carries: " + mine);
            assertTrue(mine.stream()
                    .anyMatch(e -> EventTypes.SESSION_OUTPUT.equals(e.getString("type"))
                            && e.getJsonObject("data").getLong("rows") == 3));
            String all = mine.toString();
            assertFalse(all.contains("4111111111111111"), "no unmasked card number in events");
            assertFalse(all.contains("ada.lovelace@example.com"), "no e-mail literal in events");
        }
    }
}
