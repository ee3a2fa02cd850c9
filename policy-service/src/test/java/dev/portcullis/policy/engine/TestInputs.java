package dev.portcullis.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Decision inputs shaped as session-proxy builds them (docs/architecture.md, "Policy"). */
final class TestInputs {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant NOON = Instant.parse("2026-11-22T12:00:00Z");

    private TestInputs() {}

    static ObjectNode base(String env, String protocol, String agent) {
        ObjectNode in = JSON.createObjectNode();
        ObjectNode identity = in.putObject("identity");
        identity.put("agent", agent).put("subject", "sub-" + agent);
        identity.putArray("groups");
        identity.putArray("scopes").add("conn:c:read");
        ObjectNode conn = in.putObject("connection");
        conn.put("name", env + "-" + protocol).put("type", protocol);
        if (env != null) {
            conn.putObject("tags").put("env", env);
        }
        in.putObject("session").put("id", "s-1").put("client_address", "127.0.0.1");
        in.putObject("request").put("protocol", protocol);
        in.put("time", NOON.toString());
        return in;
    }

    /** A SQL request; each statement is "TYPE[:table][:nowhere]". */
    static ObjectNode sql(String env, String text, String... statements) {
        ObjectNode in = base(env, "postgres", "ci-runner");
        ObjectNode req = (ObjectNode) in.get("request");
        req.put("kind", "query").put("text", text);
        ArrayNode arr = req.putArray("statements");
        for (String s : statements) {
            String[] parts = s.split(":");
            ObjectNode st = arr.addObject().put("type", parts[0]);
            ArrayNode tables = st.putArray("tables");
            if (parts.length > 1 && !parts[1].isEmpty()) {
                tables.add(parts[1]);
            }
            st.put("has_where", !(parts.length > 2 && parts[2].equals("nowhere")));
        }
        return in;
    }

    static ObjectNode ssh(String env, String kind, String command) {
        ObjectNode in = base(env, "ssh", "deploy-bot");
        ObjectNode req = (ObjectNode) in.get("request");
        req.put("kind", kind);
        if (command != null) {
            req.put("command", command);
        }
        return in;
    }

    static ObjectNode k8s(String env, String verb, String resource, String subresource) {
        ObjectNode in = base(env, "kubernetes", "deploy-bot");
        ObjectNode req = (ObjectNode) in.get("request");
        req.put("method", verb.equals("get") || verb.equals("list") ? "GET" : verb.equals("delete") ? "DELETE" : "POST")
                .put("path", "/api/v1/namespaces/app/" + resource)
                .put("verb", verb)
                .put("resource", resource)
                .put("namespace", "app");
        if (subresource != null) {
            req.put("subresource", subresource);
        }
        return in;
    }

    static PolicyInput normalize(JsonNode in) {
        return InputNormalizer.normalize(in, () -> NOON);
    }
}
