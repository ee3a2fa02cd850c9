package dev.portcullis.console.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The grant calls {@link BrokerClient} makes of identity-broker's API: route, token, and body as the broker reads it. */
class BrokerClientTest {

    private static final String GRANT_ID = "0b5c6a52-3b83-4a63-9a31-000000000001";

    @Test
    void aGrantIsPostedForTheAgentWithTheUsersTokenAndItsEndAsIsoText() throws Exception {
        StubBroker broker = StubBroker.answering(201, "{\"id\":\"" + GRANT_ID + "\",\"status\":\"active\"}");
        BrokerClient.Reply reply = broker.client()
                .createGrant("user-token", "bot-1", "pg-prod", "read", Duration.ofHours(8), null)
                .await()
                .indefinitely();
        assertEquals(201, reply.status());
        assertEquals(GRANT_ID, reply.body().path("id").asText());
        assertEquals(
                List.of(new StubBroker.Call(
                        "createGrant",
                        List.of(
                                "bot-1",
                                "Bearer user-token",
                                new BrokerApi.NewGrant("pg-prod", "read", "PT8H", null)))),
                broker.calls());

        OffsetDateTime end = OffsetDateTime.of(2026, 12, 5, 13, 0, 0, 0, ZoneOffset.UTC);
        StubBroker until = StubBroker.answering(201, "{}");
        until.client()
                .createGrant("user-token", "bot-1", "pg-prod", "write", null, end)
                .await()
                .indefinitely();
        assertEquals(
                new BrokerApi.NewGrant("pg-prod", "write", null, "2026-12-05T13:00:00Z"),
                until.calls().get(0).args().get(2),
                "seconds written out, the offset kept: the broker parses it strictly");
    }

    @Test
    void theGrantBodyIsTheBrokersShapeWithoutTheEndsNotGiven() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(
                "{\"connection\":\"pg-prod\",\"access\":\"read\",\"duration\":\"PT8H\"}",
                json.writeValueAsString(new BrokerApi.NewGrant("pg-prod", "read", "PT8H", null)));
        assertEquals(
                "{\"connection\":\"pg-prod\",\"access\":\"read\"}",
                json.writeValueAsString(new BrokerApi.NewGrant("pg-prod", "read", null, null)),
                "neither: a grant until revoked, not a blank duration (which the broker refuses)");
    }

    @Test
    void theGrantRoutesAreTheBrokers() throws Exception {
        Method create = BrokerApi.class.getMethod("createGrant", String.class, String.class, BrokerApi.NewGrant.class);
        assertNotNull(create.getAnnotation(POST.class));
        assertEquals(
                "/v1/agents/{name}/grants", create.getAnnotation(Path.class).value());
        Method revoke = BrokerApi.class.getMethod("revokeGrant", String.class, String.class);
        assertNotNull(revoke.getAnnotation(DELETE.class));
        assertEquals("/v1/grants/{id}", revoke.getAnnotation(Path.class).value());
    }

    @Test
    void aRevocationNamesTheGrantAndCarriesTheUsersTokenAndARefusalComesBackAsSent() {
        StubBroker broker = StubBroker.answering(409, "{\"status\":409,\"detail\":\"grant is already revoked\"}");
        BrokerClient.Reply reply =
                broker.client().revokeGrant("user-token", GRANT_ID).await().indefinitely();
        assertEquals(409, reply.status());
        assertEquals("grant is already revoked", reply.body().path("detail").asText());
        assertEquals(
                List.of(new StubBroker.Call("revokeGrant", List.of(GRANT_ID, "Bearer user-token"))), broker.calls());
    }
}
