package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.client.StubBroker;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrantResourceTest {

    private static final String ID = "0b5c6a52-3b83-4a63-9a31-000000000001";

    @Test
    void aRevocationNamesTheGrantToTheBrokerWithTheUsersToken() {
        StubBroker broker = StubBroker.answering(
                200, "{\"id\":\"" + ID + "\",\"connection\":\"pg-prod\",\"access\":\"read\",\"status\":\"revoked\"}");
        Response r = resource(broker).revoke(ID).await().indefinitely();
        assertEquals(200, r.getStatus());
        assertEquals("revoked", ((Map<?, ?>) r.getEntity()).get("status"));
        assertEquals(List.of(new StubBroker.Call("revokeGrant", List.of(ID, "Bearer user-token"))), broker.calls());
    }

    @Test
    void theBrokersRefusalOfARevocationIsPassedOn() {
        for (int status : List.of(403, 404, 409)) {
            StubBroker broker =
                    StubBroker.answering(status, "{\"status\":" + status + ",\"detail\":\"<i>refused</i>\"}");
            Response r = resource(broker).revoke(ID).await().indefinitely();
            assertEquals(status, r.getStatus());
            assertEquals(Map.of("status", status, "detail", "<i>refused</i>"), r.getEntity());
            assertEquals(1, broker.calls().size());
        }
    }

    @Test
    void anIdThatIsNoUuidNamesNoGrantAndNeverReachesTheBroker() {
        for (String id : List.of(
                "g1",
                "",
                "../agents/bot-1",
                "0b5c6a52-3b83-4a63-9a31-000000000001/../x",
                "0b5c6a52-3b83-4a63-9a31-0000000000011",
                "0b5c6a52-3b83-4a63-9a31-00000000000g",
                "1-1-1-1-1", // UUID.fromString takes it; the broker's ids are canonical
                " 0b5c6a52-3b83-4a63-9a31-000000000001",
                "0b5c6a52-3b83-4a63-9a31-000000000001\n")) {
            StubBroker broker = StubBroker.answering(200, "{}");
            Response r = resource(broker).revoke(id).await().indefinitely();
            assertEquals(404, r.getStatus(), id);
            assertEquals(Map.of("status", 404, "detail", "no such grant"), r.getEntity(), id);
            assertEquals(List.of(), broker.calls(), id + " reached the broker");
        }
    }

    private static GrantResource resource(StubBroker broker) {
        return new GrantResource(broker.client(), TestUsers.signedIn("sid-1", "alice", "user-token"));
    }
}
