package dev.portcullis.proxy.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.contracts.events.EventTypes;
import dev.portcullis.contracts.events.ReviewRequested;
import dev.portcullis.contracts.events.ReviewRequested.HistoryEntry;
import dev.portcullis.contracts.events.SessionEventFields;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The session so far a review carries ({@link SessionRecorder#history}, {@link RequestHistory}): the last requests
 * before the held one, oldest first, bounded, with their decisions, as recorded, their text cut only when asked for.
 */
class RequestHistoryTest {

    private final List<String> published = new ArrayList<>();

    private SessionRecorder recorder(int historySize) {
        return new SessionRecorder(
                (topic, key, event) -> published.add(EventJson.encode(event)), "s-1", "bot", "pg-prod", historySize);
    }

    /** A PostgreSQL statement as recorded: its text and the decision it carries (v2). */
    private static JsonObject pg(String text, String action) {
        return new JsonObject()
                .put("protocol", "postgres")
                .put("kind", "query")
                .put("text", text)
                .put(
                        SessionEventFields.DECISION,
                        SessionData.embeddedDecision(action, List.of(), List.of(), "d-1", false));
    }

    private static List<Long> seqs(List<HistoryEntry> h) {
        return h.stream().map(HistoryEntry::seq).toList();
    }

    @Test
    void theLastRequestsBeforeTheHeldOneOldestFirstAndNoMore() {
        SessionRecorder r = recorder(3);
        r.emit(EventTypes.SESSION_STARTED, new JsonObject());
        for (int i = 1; i <= 6; i++) {
            r.emit(EventTypes.SESSION_REQUEST, pg("SELECT " + i, "allow"));
            r.emit(EventTypes.SESSION_OUTPUT, new JsonObject().put("rows", i));
        }
        long held = r.emit(EventTypes.SESSION_REQUEST, pg("DELETE FROM orders", "review"));

        List<HistoryEntry> h = r.history(held);

        assertEquals(
                List.of("SELECT 4", "SELECT 5", "SELECT 6"),
                h.stream().map(HistoryEntry::request).toList());
        assertEquals(List.of(7L, 9L, 11L), seqs(h), "the seqs of their session.request events");
        assertTrue(h.stream().allMatch(e -> "allow".equals(e.action())));
        assertEquals(13L, held);
        // a request recorded after the held one (another SSH channel's, say) is never before it; it takes the
        // oldest slot (the ring keeps size + 1)
        long later = r.emit(EventTypes.SESSION_REQUEST, pg("SELECT 7", "allow"));
        assertEquals(List.of(9L, 11L), seqs(r.history(held)));
        assertEquals(List.of(9L, 11L, 13L), seqs(r.history(later)));
    }

    @Test
    void aRequestsActionIsItsLastDecisionWhereverItWasRecorded() {
        SessionRecorder r = recorder(10);
        // SSH and HTTP: the decision is an event of its own
        long exec = r.emit(
                EventTypes.SESSION_REQUEST, new JsonObject().put("kind", "exec").put("command", "ls"));
        r.emit(EventTypes.SESSION_DECISION, SessionData.decision(exec, "deny", List.of(), List.of(), "d-2", false));
        // a line typed in a shell has no decision of its own
        long line = r.emit(
                EventTypes.SESSION_REQUEST,
                new JsonObject()
                        .put("kind", "shell_line")
                        .put("command", "whoami")
                        .put("shell_request_seq", 0));
        // a statement held before, then approved: its last decision is the review's outcome
        long reviewed = r.emit(EventTypes.SESSION_REQUEST, pg("UPDATE t SET x = 1", "review"));
        r.emit(EventTypes.SESSION_DECISION, SessionData.review(reviewed, "review", "r-1", "waiting"));
        assertEquals("review", r.history(reviewed + 10).getLast().action(), "while it waits");
        r.emit(EventTypes.SESSION_DECISION, SessionData.review(reviewed, "allow", "r-1", "approved"));
        // a decision about a request no longer kept, or about none, changes nothing
        r.emit(EventTypes.SESSION_DECISION, SessionData.decision(-5, "deny", List.of(), List.of(), "d-3", false));
        r.emit(EventTypes.SESSION_DECISION, new JsonObject().put(SessionEventFields.ACTION, "deny"));
        long held = r.emit(EventTypes.SESSION_REQUEST, pg("DELETE FROM t", "review"));

        List<HistoryEntry> h = r.history(held);

        assertEquals(
                List.of(
                        new HistoryEntry(exec, "ls", "deny"),
                        new HistoryEntry(line, "whoami", null),
                        new HistoryEntry(reviewed, "UPDATE t SET x = 1", "allow")),
                h);
    }

    @Test
    void aLongTextIsCutWhenAReviewOpensNotWhenItIsRecorded() {
        SessionRecorder r = recorder(10);
        String shortText = "SELECT name FROM customers WHERE id = 1";
        String longText = "SELECT '" + "x".repeat(3_000) + "'"; // its event fits the kept size
        String hugeText = "INSERT INTO t VALUES ('" + "y".repeat(50_000) + "')"; // its event does not
        JsonObject shortRequest = pg(shortText, "allow");
        r.emit(EventTypes.SESSION_REQUEST, shortRequest);
        r.emit(EventTypes.SESSION_REQUEST, pg(longText, "allow"));
        r.emit(EventTypes.SESSION_REQUEST, pg(hugeText, "deny"));
        long held = r.emit(EventTypes.SESSION_REQUEST, pg("DELETE FROM t", "review"));

        // recorded whole: nothing was cut on the way to the recording
        assertTrue(published.get(1).contains(longText));
        assertTrue(published.get(2).contains(hugeText));
        List<HistoryEntry> h = r.history(held);
        // kept by reference: the recorded text itself, not a copy
        assertSame(shortText, h.get(0).request());
        assertSame(shortText, shortRequest.getString("text"));
        for (HistoryEntry e : h.subList(1, 3)) {
            assertEquals(ReviewRequested.MAX_HISTORY_REQUEST, e.request().length());
            assertTrue(e.request().endsWith(ReviewRequested.TRUNCATED), e.request());
        }
        assertTrue(h.get(1).request().startsWith("SELECT 'xxx"));
        assertTrue(h.get(2).request().startsWith("INSERT INTO t VALUES ('yyy"));
        assertEquals("deny", h.get(2).action(), "a large request keeps its decision with its cut text");
        assertEquals(List.of(), review(r, held).validate(), "within the contract's bounds");
    }

    @Test
    void noHistoryWhenDisabledAndNothingKeptBeforeTheFirstRequest() {
        SessionRecorder off = recorder(0);
        long held = off.emit(EventTypes.SESSION_REQUEST, pg("DELETE FROM t", "review"));
        assertNull(off.history(held), "the review carries no history");
        assertNull(off.keptHistory());

        SessionRecorder idle = recorder(10);
        idle.emit(EventTypes.SESSION_STARTED, new JsonObject());
        idle.emit(EventTypes.SESSION_DECISION, SessionData.decision(0, "deny", List.of(), List.of(), "d", false));
        assertNull(idle.keptHistory(), "an idle session keeps nothing");
        long first = idle.emit(EventTypes.SESSION_REQUEST, pg("DELETE FROM t", "review"));
        assertNotNull(idle.keptHistory());
        assertEquals(List.of(), idle.history(first), "held at its first request: nothing before it");
    }

    @Test
    void theSizeIsBoundedByTheContract() {
        assertThrows(IllegalArgumentException.class, () -> recorder(ReviewRequested.MAX_HISTORY + 1));
        assertThrows(IllegalArgumentException.class, () -> recorder(-1));
        SessionRecorder r = recorder(ReviewRequested.MAX_HISTORY);
        for (int i = 0; i < 50; i++) {
            r.emit(EventTypes.SESSION_REQUEST, pg("SELECT " + i, "allow"));
        }
        List<HistoryEntry> h = r.history(r.lastSeq());
        assertEquals(ReviewRequested.MAX_HISTORY, h.size());
        assertEquals("SELECT 29", h.getFirst().request());
        assertEquals("SELECT 48", h.getLast().request());
        assertEquals(List.of(), review(r, r.lastSeq()).validate());
    }

    @Test
    void eachProtocolsRequestAsText() {
        assertEquals("SELECT 1", RequestHistory.textOf(pg("SELECT 1", "allow")));
        assertEquals(
                "DELETE /api/v1/namespaces/default/configmaps/app?dryRun=All",
                RequestHistory.textOf(new JsonObject()
                        .put("protocol", "kubernetes")
                        .put("kind", "request")
                        .put("method", "DELETE")
                        .put("path", "/api/v1/namespaces/default/configmaps/app")
                        .put("query", "dryRun=All")
                        .put("verb", "delete")));
        assertEquals(
                "GET /admin/users",
                RequestHistory.textOf(new JsonObject()
                        .put("protocol", "http")
                        .put("method", "GET")
                        .put("path", "/admin/users")
                        .put("query", "")));
        assertEquals(
                "cat /etc/hosts",
                RequestHistory.textOf(new JsonObject().put("kind", "exec").put("command", "cat /etc/hosts")));
        assertEquals(
                "port_forward db:5432",
                RequestHistory.textOf(
                        new JsonObject().put("kind", "port_forward").put("command", "db:5432")));
        assertEquals(
                "sftp open_write /tmp/x",
                RequestHistory.textOf(new JsonObject()
                        .put("kind", "sftp_op")
                        .put("op", "open_write")
                        .put("path", "/tmp/x")));
        assertEquals(
                "ls -l",
                RequestHistory.textOf(new JsonObject()
                        .put("protocol", "kubernetes")
                        .put("kind", "stdin")
                        .put("input", "ls -l")));
        assertEquals(
                "(shell)",
                RequestHistory.textOf(new JsonObject().put("kind", "shell").put("command", "")));
        assertEquals(
                "(shell_line: typed while the terminal did not echo)",
                RequestHistory.textOf(new JsonObject()
                        .put("kind", "shell_line")
                        .put("command", "")
                        .put("withheld", "typed while the terminal did not echo")));
        assertEquals("(cancel)", RequestHistory.textOf(new JsonObject().put("kind", "cancel")));
    }

    private static ReviewRequested review(SessionRecorder r, long held) {
        return new ReviewRequested(
                "r-1",
                "s-1",
                "bot",
                null,
                "pg-prod",
                java.util.Map.of(),
                List.of(),
                List.of(),
                held,
                null,
                r.history(held));
    }
}
