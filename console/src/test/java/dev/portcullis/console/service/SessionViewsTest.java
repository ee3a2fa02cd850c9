package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.client.FakeRecorderApi;
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
        SessionViews views = new SessionViews(api.client());
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
        new SessionViews(api.client())
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
            SessionViews.Listing listing = new SessionViews(api.client())
                    .list("t", SessionQuery.of("", "", "", "", "", "", bad, bad, 0))
                    .await()
                    .indefinitely();
            assertEquals(400, listing.status(), bad);
            assertTrue(listing.detail().startsWith("denied: must be true"), listing.detail());
            assertTrue(listing.rows().isEmpty());
        }
        assertEquals(List.of(), api.sessionSearches);
    }
}
