package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.config.ConsoleConfig;
import dev.portcullis.console.connection.ConnectionCatalog;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessRequestViewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccessRequestViews views = new AccessRequestViews(null, new ConnectionCatalog(noFile()));

    @Test
    void aPendingRequestShowsAgentConnectionAccessDurationReasonAndApprovalsAsText() throws Exception {
        AccessRequestViews.Listing l = views.listing(new BrokerClient.Reply(
                200,
                JSON.readTree("[{\"id\":\"0b5c6a52-3b83-4a63-9a31-000000000001\",\"agent\":\"bot-1\","
                        + "\"connection\":\"pg-prod\",\"access\":\"read\",\"duration\":\"PT1H30M\","
                        + "\"reason\":\"<img src=x onerror=alert(1)> incident 42\",\"requestedBy\":\"bot-1\","
                        + "\"status\":\"pending\",\"requiredApprovals\":2,"
                        + "\"approvals\":[{\"approver\":\"bob\",\"decision\":\"approve\",\"comment\":\"ok\"}],"
                        + "\"createdAt\":\"2026-12-05T13:00:00Z\",\"expiresAt\":\"2026-12-06T13:00:00Z\"}]")));
        assertEquals(200, l.status());
        assertEquals(
                List.of(new AccessRequestViews.Request(
                        "0b5c6a52-3b83-4a63-9a31-000000000001",
                        "bot-1",
                        "pg-prod",
                        "read",
                        Map.of(),
                        "1 h 30 min",
                        "<img src=x onerror=alert(1)> incident 42",
                        "bot-1",
                        "2026-12-05T13:00:00Z",
                        "2026-12-06T13:00:00Z",
                        2,
                        "1 of 2 approvals: bob (approve: ok)")),
                l.requests());
    }

    @Test
    void theDurationIsReadAsIsoOrAsSeconds() throws Exception {
        assertEquals("30 min", AccessRequestViews.duration(json("\"PT30M\"")));
        assertEquals("30 min", AccessRequestViews.duration(json("1800.000000000")));
        assertEquals("8 h", AccessRequestViews.duration(json("\"PT8H\"")));
        assertEquals("45 s", AccessRequestViews.duration(json("45")));
        assertEquals("soon", AccessRequestViews.duration(json("\"soon\"")));
        assertEquals("", AccessRequestViews.duration(MissingNode.getInstance()));
    }

    @Test
    void theBrokersRefusalKeepsItsStatusAndReason() throws Exception {
        AccessRequestViews.Listing l = views.listing(new BrokerClient.Reply(
                403, JSON.readTree("{\"status\":403,\"detail\":\"approver or admin required\"}")));
        assertEquals(new AccessRequestViews.Listing(403, "approver or admin required", List.of()), l);
        // a 200 that is not a list is the broker misbehaving
        assertEquals(502, views.listing(new BrokerClient.Reply(200, json("{}"))).status());
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    static ConsoleConfig noFile() {
        return new ConsoleConfig() {
            @Override
            public Connections connections() {
                return Optional::empty;
            }

            @Override
            public Console console() {
                return null;
            }
        };
    }
}
