package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.FakeRecorderApi;
import dev.portcullis.console.client.StubBroker;
import dev.portcullis.contracts.events.EventTypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Sessions page's search as it reaches recorder-service: through {@link SessionViews} and the REST client. */
class SessionViewsTest {

    static final String ANSWER = """
            {"items":[{"session_id":"s-1","agent":"bot-1","connection":"pg-prod","protocol":"postgres",
            "started_at":"2026-12-05T13:00:00Z","status":"complete","requests":4,"denials":2,"reviews":1}],
            "page":0,"size":50,"total":1}""";

    @Test
    void everyFilterOfTheFormReachesTheRecorderAsItTakesIt() {
        FakeRecorderApi api = new FakeRecorderApi(ANSWER);
        SessionViews views =
                new SessionViews(api.client(), StubBroker.answering(200, "[]").client());
        SessionQuery q = SessionQuery.of(
                "bot-1", "pg-prod", "postgres", "complete", "2026-12-05T13:00", "", " true ", "false", 2);

        SessionViews.Listing listing = views.list("the-token", q).await().indefinitely();

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("agent", "bot-1");
        expected.put("connection", "pg-prod");
        expected.put("protocol", "postgres");
        expected.put("status", "complete");
        expected.put("from", "2026-12-05T13:00Z");
        expected.put("to", null);
        expected.put("denied", "true");
        expected.put("reviewed", "false");
        expected.put("page", 2);
        expected.put("size", SessionViews.PAGE_SIZE);
        expected.put("Authorization", "Bearer the-token");
        assertEquals(List.of(expected), api.sessionSearches);
        assertEquals(200, listing.status());
        assertEquals(1, listing.total());
        assertEquals(
                List.of(new SessionViews.Row(
                        "s-1", "bot-1", "pg-prod", "postgres", "2026-12-05T13:00:00Z", "complete", 4, 2, 1)),
                listing.rows());
    }

    @Test
    void anyIsLeftOutOfTheRecordersUrl() {
        FakeRecorderApi api = new FakeRecorderApi(ANSWER);
        new SessionViews(api.client(), StubBroker.answering(200, "[]").client())
                .list("t", SessionQuery.of("", "", "", "", "", "", "", "", 0))
                .await()
                .indefinitely();
        assertEquals(1, api.sessionSearches.size());
        Map<String, Object> call = api.sessionSearches.get(0);
        for (String filter : List.of("agent", "connection", "protocol", "status", "from", "to", "denied", "reviewed")) {
            assertEquals(null, call.get(filter), filter);
        }
    }

    @Test
    void aQueryWithErrorsIsNeverSent() {
        FakeRecorderApi api = new FakeRecorderApi(ANSWER);
        for (String bad : List.of("yes", "TRUE", "1", "true&reviewed=true")) {
            SessionViews.Listing listing = new SessionViews(
                            api.client(), StubBroker.answering(200, "[]").client())
                    .list("t", SessionQuery.of("", "", "", "", "", "", bad, bad, 0))
                    .await()
                    .indefinitely();
            assertEquals(400, listing.status(), bad);
            assertTrue(listing.detail().startsWith("denied: must be true"), listing.detail());
            assertTrue(listing.rows().isEmpty());
        }
        assertEquals(List.of(), api.sessionSearches);
    }

    static final ObjectMapper JSON = new ObjectMapper();

    /** A recording's review ids, from v1 decisions and v2 requests alike, each once, first seen first. */
    @Test
    void theReviewsARecordingNamesAreFoundInBothEventVersions() throws Exception {
        List<JsonNode> lines = List.of(
                JSON.readTree("{\"event\":{\"type\":\"a\",\"data\":{\"text\":\"DELETE FROM t\","
                        + "\"decision\":{\"action\":\"review\",\"review_id\":\"r-1\"}}}}"),
                JSON.readTree(
                        "{\"event\":{\"type\":\"b\",\"data\":{\"review_id\":\"r-1\"," + "\"state\":\"waiting\"}}}"),
                JSON.readTree("{\"type\":\"b\",\"data\":{\"review_id\":\"r-2\",\"state\":\"denied\"}}"),
                JSON.readTree("{\"event\":{\"type\":\"c\",\"data\":{\"rows\":3}}}"),
                JSON.readTree("{\"seal\":true}"));
        assertEquals(List.of("r-1", "r-2"), SessionViews.reviewIds(lines));
    }

    /** The broker's audit entries of each review, oldest first, with the approver's comment; a refusal is named. */
    @Test
    void whoDecidedEachReviewComesFromTheBrokersAuditTrail() throws Exception {
        BrokerClient.Reply r1 = new BrokerClient.Reply(
                200,
                JSON.readTree("[{\"targetId\":\"r-1\",\"at\":\"t3\",\"actor\":\"dave-approver\","
                        + "\"action\":\"" + EventTypes.REVIEW_APPROVED
                        + "\",\"details\":\"{\\\"comment\\\":\\\"ok <b>\\\"}\"},"
                        + "{\"targetId\":\"r-1\",\"at\":\"t2\",\"actor\":\"bob-approver\","
                        + "\"action\":\"" + EventTypes.REVIEW_APPROVED + "\",\"details\":\"{}\"},"
                        + "{\"targetId\":\"r-1\",\"at\":\"t1\",\"actor\":\"agent:bot-1\","
                        + "\"action\":\"" + EventTypes.REVIEW_REQUESTED + "\",\"details\":\"not json\"}]"));
        var steps = SessionViews.steps(List.of(r1));
        assertEquals(200, steps.status());
        assertEquals(
                List.of(
                        new SessionViews.ReviewStep("r-1", "t1", "agent:bot-1", EventTypes.REVIEW_REQUESTED, ""),
                        new SessionViews.ReviewStep("r-1", "t2", "bob-approver", EventTypes.REVIEW_APPROVED, ""),
                        new SessionViews.ReviewStep(
                                "r-1", "t3", "dave-approver", EventTypes.REVIEW_APPROVED, "ok <b>")),
                steps.steps());
        var refused = SessionViews.steps(List.of(r1, new BrokerClient.Reply(403, JSON.readTree("{}"))));
        assertEquals(403, refused.status());
        assertTrue(refused.steps().isEmpty());
    }

    /** A v2 request shows the decision it carries: action, rules, reasons, cached. */
    @Test
    void aVersionTwoRequestShowsItsDecision() throws Exception {
        String summary = SessionViews.summary(
                JSON.readTree(
                        "{\"text\":\"SELECT 1\",\"decision\":{\"action\":\"deny\","
                                + "\"rules\":[\"pg-drop\"],\"reasons\":[\"rule pg-drop: no\"],\"cached\":true,\"decision_id\":\"d\"}}"));
        assertEquals("SELECT 1  action=deny  cached=true  rules=pg-drop  reasons=rule pg-drop: no", summary);
    }
}
