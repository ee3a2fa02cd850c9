package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentViewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void agentsAndGrantsAreReadFromTheBrokersAnswers() throws Exception {
        AgentViews.Listing l = AgentViews.listing(new BrokerClient.Reply(
                200,
                JSON.readTree("[{\"id\":\"x\",\"name\":\"bot-1\",\"clientId\":\"bot-1\",\"team\":\"<b>data</b>\","
                        + "\"authMethod\":\"client_secret\",\"enabled\":false,\"createdBy\":\"alice\","
                        + "\"createdAt\":\"2026-12-05T13:00:00Z\"}]")));
        assertEquals(
                new AgentViews.Listing(
                        200,
                        "",
                        List.of(new AgentViews.Agent(
                                "bot-1",
                                "<b>data</b>",
                                "",
                                "",
                                "client_secret",
                                false,
                                "alice",
                                "2026-12-05T13:00:00Z"))),
                l);
        List<AgentViews.Grant> grants = AgentViews.grants(new BrokerClient.Reply(
                200,
                JSON.readTree("[{\"id\":\"g1\",\"agent\":\"bot-1\",\"connection\":\"pg-test\",\"access\":\"read\","
                        + "\"kind\":\"jit\",\"status\":\"active\",\"startsAt\":\"a\",\"expiresAt\":null,"
                        + "\"createdBy\":\"bob\"}]")));
        assertEquals(List.of(new AgentViews.Grant("g1", "pg-test", "read", "jit", "active", "a", "", "bob")), grants);
        assertEquals(List.of(), AgentViews.grants(new BrokerClient.Reply(403, JSON.readTree("{}"))));
    }

    /** The broker's hints become each connection's command lines (in a fixed order) and its password note. */
    @Test
    void connectionHintsAreReadAsText() throws Exception {
        List<AgentViews.Hint> hints = AgentViews.hints(new BrokerClient.Reply(
                200,
                JSON.readTree(
                        "[{\"name\":\"pg-test\",\"type\":\"postgres\",\"psql\":\"psql x\",\"jdbc_url\":\"jdbc:y\","
                                + "\"password\":\"the access_token (PGPASSWORD)\",\"access\":[\"read\",\"write\"]},"
                                + "{\"name\":\"k8s\",\"type\":\"kubernetes\",\"server\":\"https://p/k8s\",\"kubectl\":\"kubectl z\","
                                + "\"token\":\"the access_token (Authorization: Bearer)\",\"access\":[\"read\"]}]")));
        assertEquals(
                List.of(
                        new AgentViews.Hint(
                                "pg-test",
                                "postgres",
                                "read, write",
                                List.of("psql x", "jdbc:y"),
                                "the access_token (PGPASSWORD)"),
                        new AgentViews.Hint(
                                "k8s",
                                "kubernetes",
                                "read",
                                List.of("https://p/k8s", "kubectl z"),
                                "the access_token (Authorization: Bearer)")),
                hints);
        assertEquals(List.of(), AgentViews.hints(new BrokerClient.Reply(403, JSON.readTree("{}"))));
    }

    @Test
    void aRefusalNamesTheBrokersReasonAndEachField() throws Exception {
        AgentViews.Listing l = AgentViews.listing(new BrokerClient.Reply(
                400,
                JSON.readTree("{\"detail\":\"invalid\",\"errors\":[{\"field\":\"team\",\"message\":\"too long\"}]}")));
        assertEquals(new AgentViews.Listing(400, "invalid; team: too long", List.of()), l);
    }
}
