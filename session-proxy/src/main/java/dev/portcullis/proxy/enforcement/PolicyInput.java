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
        return Session.of(identity, connection, sessionId, clientAddress, startedAt)
                .input(request);
    }

    /**
     * What a session's inputs share (identity, connection, session), built and encoded once per session: a request
     * whose decision is cached then costs no input at all, only its key ({@link DecisionCache#key(Session,
     * JsonObject, boolean)}).
     *
     * @param encoded the JSON of {@code shared}, as {@link DecisionCache#key(JsonObject, boolean)} encodes it
     */
    public record Session(JsonObject shared, String encoded) {

        public static Session of(
                AgentIdentity identity,
                Connection connection,
                String sessionId,
                String clientAddress,
                Instant startedAt) {
            JsonObject shared = new JsonObject()
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
                                    .put("started_at", startedAt.toString()));
            return new Session(shared, DecisionCache.encodeShared(shared));
        }

        /** The whole input for {@code request}, stamped now; a copy of the shared part (callers may change it). */
        public JsonObject input(JsonObject request) {
            return shared.copy()
                    .put("request", request)
                    .put("time", Instant.now().toString());
        }
    }
}
