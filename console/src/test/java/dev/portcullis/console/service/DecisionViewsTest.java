package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionViewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aDecisionLogShowsItsActionRulesReasonsAndTheRequestAsText() throws Exception {
        DecisionViews.Listing l = DecisionViews.listing(new BrokerClient.Reply(
                200,
                JSON.readTree("{\"items\":[{\"decision_id\":\"d1\",\"decided_at\":\"2026-12-05T13:00:00Z\","
                        + "\"agent\":\"bot-1\",\"connection\":\"pg-prod\",\"session_id\":\"s-1\",\"protocol\":\"postgres\","
                        + "\"action\":\"deny\",\"rules\":[\"no-drop\"],\"policy_version\":\"v7\",\"log\":{\"input\":"
                        + "{\"request\":{\"protocol\":\"postgres\",\"text\":\"DROP TABLE x <script>\"}},"
                        + "\"result\":{\"action\":\"deny\",\"reasons\":[\"drops are denied\"]}}},"
                        + "{\"decision_id\":\"d2\",\"session_id\":\"../logout\",\"log\":null}],"
                        + "\"page\":0,\"size\":50,\"total\":2}")));
        assertEquals(200, l.status());
        assertEquals(2, l.total());
        assertEquals(
                new DecisionViews.Row(
                        "d1",
                        "2026-12-05T13:00:00Z",
                        "bot-1",
                        "pg-prod",
                        "s-1",
                        true,
                        "postgres",
                        "deny",
                        List.of("no-drop"),
                        List.of("drops are denied"),
                        "DROP TABLE x <script>",
                        "v7"),
                l.rows().get(0));
        // a session id that is not one (a path) is shown, never linked
        assertFalse(l.rows().get(1).sessionLink());
        assertEquals("../logout", l.rows().get(1).sessionId());
    }

    @Test
    void aRefusalKeepsTheRecordersStatusAndFieldErrors() throws Exception {
        DecisionViews.Listing l = DecisionViews.listing(new BrokerClient.Reply(
                400,
                JSON.readTree(
                        "{\"detail\":\"invalid query\",\"errors\":[{\"field\":\"action\",\"message\":\"bad\"}]}")));
        assertEquals(new DecisionViews.Listing(400, "invalid query; action: bad", List.of(), 0), l);
    }

    @Test
    void theSearchIsCheckedBeforeItIsSent() {
        DecisionQuery ok = DecisionQuery.of("bot", "", "s-1", "review", "2026-12-05T13:00", "", 1);
        assertTrue(ok.valid());
        assertEquals("2026-12-05T13:00Z", ok.fromInstant());
        assertEquals("/decisions?page=2&agent=bot&session=s-1&action=review&from=2026-12-05T13%3A00", ok.href(2));
        DecisionQuery bad = DecisionQuery.of("", "", "../x", "maybe", "", "soon", 0);
        assertEquals(
                List.of(
                        "session: letters, digits and . _ : - only, at most 128",
                        "action: must be one of allow, deny, review",
                        "to: a date and time such as 2026-12-05T13:00 (UTC)"),
                bad.errors());
    }
}
