package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.console.client.BrokerClient;
import jakarta.ws.rs.core.Response;
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
}
