package dev.portcullis.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

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

    /**
     * A SQL request; each statement is "TYPE[:table][:flag…]", flags {@code nowhere} (no WHERE), {@code ro}
     * (read_only: session-proxy proved it read-only), {@code set=<setting>}, {@code pred=<column>},
     * {@code call=<function>}, {@code unparseable}, {@code nro=<reason>} (a not_read_only reason).
     */
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
            List<String> flags = parts.length > 2 ? List.of(parts).subList(2, parts.length) : List.of();
            st.put("has_where", !flags.contains("nowhere"));
            st.put("read_only", flags.contains("ro"));
            ArrayNode settings = st.putArray("settings");
            ArrayNode predicates = st.putArray("predicate_columns");
            ArrayNode calls = st.putArray("calls");
            ArrayNode notReadOnly = st.putArray("not_read_only");
            for (String f : flags) {
                if (f.startsWith("set=")) {
                    settings.add(f.substring(4));
                } else if (f.startsWith("pred=")) {
                    predicates.add(f.substring(5));
                } else if (f.startsWith("call=")) {
                    calls.add(f.substring(5));
                } else if (f.equals("unparseable")) {
                    notReadOnly.add(f);
                } else if (f.startsWith("nro=")) {
                    notReadOnly.add(f.substring(4));
                }
            }
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
