package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.config.ConsoleConfig;
import dev.portcullis.console.connection.ConnectionCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReviewFeedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An XSS corpus: markup, an attribute break-out, a script, a template expression. */
    private static final String XSS = "<img src=x onerror=alert(1)>\"'><script>alert(2)</script>{viewer.csrf}";

    @Test
    void theStatementIsTheRequestsSqlCommandOrHttpCall() throws Exception {
        assertEquals(
                "DELETE FROM orders <script>x</script>",
                ReviewFeed.statement(
                        json("{\"protocol\":\"postgres\",\"text\":\"DELETE FROM orders <script>x</script>\"}")));
        assertEquals("sudo ls", ReviewFeed.statement(json("{\"protocol\":\"ssh\",\"command\":\"sudo ls\"}")));
        assertEquals(
                "POST /api/v1/namespaces/a/pods/b/exec",
                ReviewFeed.statement(
                        json(
                                "{\"protocol\":\"kubernetes\",\"method\":\"POST\",\"path\":\"/api/v1/namespaces/a/pods/b/exec\"}")));
        // anything else: the recorded request as JSON text
        assertEquals("{\"protocol\":\"x\",\"n\":1}", ReviewFeed.statement(json("{\"protocol\":\"x\",\"n\":1}")));
        assertEquals("", ReviewFeed.statement(MissingNode.getInstance()));
    }

    /**
     * The session so far and the rule ids come to the page as the broker has them, as plain strings (the page sets them
     * as text: markup in them stays the characters it is); a review stored without a history says so (null), one held
     * at its session's first request has an empty one.
     */
    @Test
    void eachReviewBringsItsSessionSoFarAndItsRuleIds() throws Exception {
        ObjectNode held = JSON.createObjectNode()
                .put("id", "r-1")
                .put("session_id", "s-1")
                .put("agent", "bot")
                .put("connection", "pg-prod")
                .put("expires_at", "2026-12-05T13:05:00Z")
                .put("required_approvals", 2);
        held.set("request", json("{\"protocol\":\"postgres\",\"text\":\"DELETE FROM orders\"}"));
        held.putArray("reasons").add("DELETE without WHERE needs a human");
        held.putArray("rules").add("bulk-change-review").add(XSS);
        ArrayNode history = held.putArray("history");
        history.addObject()
                .put("seq", 3)
                .put("request", "SELECT card FROM t WHERE pan = '[REDACTED]'")
                .put("action", "allow");
        history.addObject().put("seq", 4).put("request", XSS).put("action", "deny");
        history.addObject().put("seq", 6).put("request", "whoami");
        ArrayNode reviews = JSON.createArrayNode()
                .add(held)
                .add(json("{\"id\":\"r-2\",\"agent\":\"bot\",\"connection\":\"ssh-bastion\","
                        + "\"request\":{\"command\":\"ls\"},\"reasons\":[]}"))
                .add(json("{\"id\":\"r-3\",\"agent\":\"bot\",\"connection\":\"pg-prod\","
                        + "\"request\":{\"text\":\"DELETE FROM t\"},\"reasons\":[],\"rules\":[],\"history\":[]}"));

        ReviewFeed.Snapshot snapshot = feed().snapshot(new BrokerClient.Reply(200, reviews));

        assertEquals(200, snapshot.status());
        ReviewFeed.Item item = snapshot.reviews().getFirst();
        assertEquals(List.of("bulk-change-review", XSS), item.rules());
        assertEquals(List.of("DELETE without WHERE needs a human"), item.reasons());
        assertEquals(
                List.of(
                        new ReviewFeed.HistoryEntry(3, "SELECT card FROM t WHERE pan = '[REDACTED]'", "allow"),
                        new ReviewFeed.HistoryEntry(4, XSS, "deny"),
                        new ReviewFeed.HistoryEntry(6, "whoami", "")),
                item.history());
        assertEquals(Map.of("env", "prod", "team", "<b>data</b>"), item.tags());
        // as the page reads it (reviews.js: review.rules, review.history[i].seq/request/action)
        JsonNode wire = JSON.valueToTree(item);
        assertEquals(XSS, wire.at("/history/1/request").asText());
        assertEquals(4, wire.at("/history/1/seq").asInt());
        assertEquals("deny", wire.at("/history/1/action").asText());
        assertEquals("bulk-change-review", wire.at("/rules/0").asText());

        ReviewFeed.Item older = snapshot.reviews().get(1);
        assertNull(older.history(), "a review stored without the session so far");
        assertEquals(List.of(), older.rules());
        assertEquals(JSON.nullNode(), JSON.valueToTree(older).get("history"));
        assertEquals(List.of(), snapshot.reviews().get(2).history(), "held at the session's first request");
    }

    private static ReviewFeed feed() throws Exception {
        Path file =
                Path.of(ReviewFeedTest.class.getResource("/connections.yaml").toURI());
        ConsoleConfig config = new ConsoleConfig() {
            @Override
            public Connections connections() {
                return () -> Optional.of(file);
            }

            @Override
            public Console console() {
                return null;
            }
        };
        return new ReviewFeed(null, new ConnectionCatalog(config), config);
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }
}
