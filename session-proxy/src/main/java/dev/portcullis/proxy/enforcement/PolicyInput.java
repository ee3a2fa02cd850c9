package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.connections.Connection;
import dev.portcullis.proxy.auth.AgentIdentity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;

/** The policy input of docs/architecture.md "Policy" for one request, protocol-neutral. */
public final class PolicyInput {

    private PolicyInput() {}

    public static JsonObject of(
            AgentIdentity identity,
            Connection connection,
            String sessionId,
            String clientAddress,
            Instant startedAt,
            JsonObject request) {
        return new JsonObject()
                .put(
                        "identity",
                        new JsonObject()
                                .put("agent", identity.agent())
                                .put("subject", identity.subject())
                                .put("groups", new JsonArray(identity.groups()))
                                .put("scopes", new JsonArray(identity.scopes()))
                                .put("access", identity.access()))
                .put(
                        "connection",
                        new JsonObject()
                                .put("name", connection.name())
                                .put("type", connection.type().id())
                                .put("tags", new JsonObject(new HashMap<>(connection.tags()))))
                .put(
                        "session",
                        new JsonObject()
                                .put("id", sessionId)
                                .put("client_address", clientAddress)
                                .put("started_at", startedAt.toString()))
                .put("request", request)
                .put("time", Instant.now().toString());
    }
}
