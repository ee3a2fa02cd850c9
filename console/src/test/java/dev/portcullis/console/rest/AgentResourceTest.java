package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.api.GrantForm;
import dev.portcullis.console.client.BrokerClient;
import dev.portcullis.console.client.StubBroker;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aCreatedOrRotatedAgentsSecretReachesThePageOnce() throws Exception {
        Response r = AgentResource.secretAnswer(new BrokerClient.Reply(
                201,
                JSON.readTree("{\"agent\":{\"name\":\"bot-9\",\"enabled\":true},\"clientSecret\":\"s3cr3t\","
                        + "\"tokenEndpoint\":\"http://kc/token\"}")));
        assertEquals(200, r.getStatus());
        assertEquals(
                Map.of("name", "bot-9", "client_secret", "s3cr3t", "token_endpoint", "http://kc/token"), r.getEntity());
    }

    @Test
    void theBrokersRefusalIsPassedOnWithItsStatusAndReasonAndNoSecret() throws Exception {
        Response r = AgentResource.secretAnswer(new BrokerClient.Reply(
                409,
                JSON.readTree("{\"detail\":\"agent bot-9 exists\",\"clientSecret\":\"never\","
                        + "\"errors\":[{\"field\":\"name\",\"message\":\"taken\"}]}")));
        assertEquals(409, r.getStatus());
        Map<?, ?> body = (Map<?, ?>) r.getEntity();
        assertEquals("agent bot-9 exists; name: taken", body.get("detail"));
        assertFalse(body.containsKey("client_secret"));
    }

    @Test
    void onlyBrokerAgentNamesAreForwarded() {
        assertTrue(AgentResource.NAME.matcher("bot-1").matches());
        assertFalse(AgentResource.NAME.matcher("Bot").matches());
        assertFalse(AgentResource.NAME.matcher("b").matches());
        assertFalse(AgentResource.NAME.matcher("../admin").matches());
        assertFalse(AgentResource.NAME.matcher("a".repeat(64)).matches());
    }

    @Test
    void aGrantIsAskedOfTheBrokerForThatAgentWithTheUsersToken() {
        StubBroker broker = StubBroker.answering(
                201,
                "{\"id\":\"0b5c6a52-3b83-4a63-9a31-000000000001\",\"agent\":\"bot-1\",\"connection\":\"pg-prod\","
                        + "\"access\":\"read\",\"kind\":\"standing\",\"status\":\"active\","
                        + "\"expiresAt\":\"2026-12-05T21:00:00Z\"}");
        Response r = resource(broker)
                .grant("bot-1", new GrantForm("pg-prod", "read", "PT8H", ""))
                .await()
                .indefinitely();
        assertEquals(200, r.getStatus());
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", "0b5c6a52-3b83-4a63-9a31-000000000001");
        expected.put("connection", "pg-prod");
        expected.put("access", "read");
        expected.put("status", "active");
        expected.put("expires_at", "2026-12-05T21:00:00Z");
        assertEquals(expected, r.getEntity());
        assertEquals(1, broker.calls().size());
        StubBroker.Call call = broker.calls().get(0);
        assertEquals("createGrant", call.method());
        assertEquals("bot-1", call.args().get(0));
        assertEquals("Bearer user-token", call.args().get(1), "the signed-in user's own token");
        assertEquals(
                "NewGrant[connection=pg-prod, access=read, duration=PT8H, expiresAt=null]",
                String.valueOf(call.args().get(2)));

        // the end as a time: read as UTC, sent with its offset
        StubBroker until = StubBroker.answering(201, "{}");
        resource(until)
                .grant("bot-1", new GrantForm("pg-prod", "write", null, "2026-12-05T13:00"))
                .await()
                .indefinitely();
        assertEquals(
                "NewGrant[connection=pg-prod, access=write, duration=null, expiresAt=2026-12-05T13:00:00Z]",
                String.valueOf(until.calls().get(0).args().get(2)));
    }

    @Test
    void theBrokersRefusalOfAGrantIsPassedOnWithItsStatusAndReason() {
        // a user without portcullis-admin: the console adds no role and forwards; the broker's 403 is the answer
        for (Object[] c : List.of(
                new Object[] {
                    403, "{\"status\":403,\"detail\":\"<b>admin</b> role required\"}", "<b>admin</b> role required"
                },
                new Object[] {
                    404, "{\"status\":404,\"detail\":\"no connection named pg-gone\"}", "no connection named pg-gone"
                },
                new Object[] {409, "{\"status\":409,\"detail\":\"duplicate\"}", "duplicate"},
                new Object[] {
                    422,
                    "{\"status\":422,\"detail\":\"connection pg-prod has no access level 'admin'\"}",
                    "connection pg-prod has no access level 'admin'"
                },
                new Object[] {
                    400,
                    "{\"status\":400,\"detail\":\"invalid\",\"errors\":[{\"field\":\"duration\",\"message\":\"bad\"}]}",
                    "invalid; duration: bad"
                },
                new Object[] {502, null, "identity-broker refused"})) {
            StubBroker broker = StubBroker.answering((Integer) c[0], (String) c[1]);
            Response r = resource(broker)
                    .grant("bot-1", new GrantForm("pg-prod", "admin", "", ""))
                    .await()
                    .indefinitely();
            assertEquals(c[0], r.getStatus(), Arrays.toString(c));
            assertEquals(Map.of("status", c[0], "detail", c[2]), r.getEntity(), Arrays.toString(c));
            assertEquals(1, broker.calls().size());
        }
    }

    @Test
    void aGrantTheBrokerWouldRefuseForItsShapeIsNamedAndNeverSent() {
        for (GrantForm form : List.of(
                new GrantForm("pg-prod", "read", "8h", ""),
                new GrantForm("pg-prod", "read", "PT1H", "2026-12-05T13:00"),
                new GrantForm("pg-prod", "owner", "", ""),
                new GrantForm("../v1/agents", "read", "", ""),
                new GrantForm(null, null, null, null))) {
            StubBroker broker = StubBroker.answering(201, "{}");
            Response r = resource(broker).grant("bot-1", form).await().indefinitely();
            assertEquals(400, r.getStatus(), form.toString());
            assertTrue(((Map<?, ?>) r.getEntity()).get("detail").toString().startsWith("not sent: "), form.toString());
            assertEquals(List.of(), broker.calls(), form + " reached the broker");
        }
        StubBroker broker = StubBroker.answering(201, "{}");
        assertEquals(
                400,
                resource(broker).grant("bot-1", null).await().indefinitely().getStatus());
        Response r = resource(broker)
                .grant("../admin", new GrantForm("pg-prod", "read", "", ""))
                .await()
                .indefinitely();
        assertEquals(404, r.getStatus(), "not an agent name: names no agent");
        assertEquals(List.of(), broker.calls());
    }

    private static AgentResource resource(StubBroker broker) {
        return new AgentResource(broker.client(), TestUsers.signedIn("sid-1", "alice", "user-token"));
    }
}
