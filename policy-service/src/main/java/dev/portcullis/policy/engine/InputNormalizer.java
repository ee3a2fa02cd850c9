package dev.portcullis.policy.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks the input against docs/architecture.md "Policy" (wrong types are an {@link InvalidInputException},
 * unknown fields are kept) and derives the CEL variables.
 */
public final class InputNormalizer {

    /** PostgreSQL statements' effects (docs/architecture.md, "Policy"): lists of strings, empty when absent. */
    private static final String[] STATEMENT_LISTS = {
        "not_read_only", "reads", "writes", "calls", "settings", "predicate_columns"
    };

    private static final String[] HTTP_FIELDS = {"method", "path", "verb", "resource", "namespace", "subresource"};

    private static final String STATEMENTS_AT = "input.request.statements";

    private InputNormalizer() {}

    public static PolicyInput normalize(JsonNode input, Supplier<Instant> clock) {
        if (input == null || input.isMissingNode()) {
            throw new InvalidInputException("input is required");
        }
        if (!input.isObject()) {
            throw new InvalidInputException("input must be an object");
        }
        JsonNode identity = object(input, "identity", "input.identity");
        JsonNode connection = object(input, "connection", "input.connection");
        JsonNode request = object(input, "request", "input.request");

        // every variable but input, which PolicyInput converts when a rule reads it
        Map<String, Object> vars = new HashMap<>(32);

        vars.put(CelEnvironment.AGENT, string(identity, "agent", "input.identity", -1));
        vars.put(CelEnvironment.GROUPS, strings(identity, "groups", "input.identity", -1));
        vars.put(CelEnvironment.SCOPES, strings(identity, "scopes", "input.identity", -1));

        String connectionType =
                string(connection, "type", "input.connection", -1).toLowerCase(Locale.ROOT);
        vars.put(CelEnvironment.CONNECTION, string(connection, "name", "input.connection", -1));
        Map<String, String> tags = tags(connection);
        vars.put(CelEnvironment.TAGS, tags);

        String protocol = string(request, "protocol", "input.request", -1).toLowerCase(Locale.ROOT);
        if (protocol.isEmpty()) {
            protocol = connectionType;
        }
        vars.put(CelEnvironment.PROTOCOL, protocol);
        vars.put(
                CelEnvironment.KIND,
                string(request, "kind", "input.request", -1).toLowerCase(Locale.ROOT));
        String text = string(request, "text", "input.request", -1);
        vars.put(CelEnvironment.TEXT, text);
        vars.put(CelEnvironment.COMMAND, string(request, "command", "input.request", -1));

        Map<String, String> http = new HashMap<>(8);
        for (String f : HTTP_FIELDS) {
            http.put(f, string(request, f, "input.request", -1));
        }
        vars.put(CelEnvironment.HTTP, http);

        List<Map<String, Object>> statements = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        JsonNode stmts = request.path("statements");
        if (!stmts.isMissingNode() && !stmts.isNull()) {
            if (!stmts.isArray()) {
                throw new InvalidInputException("input.request.statements must be an array");
            }
            int i = 0;
            for (JsonNode s : stmts) {
                // the paths in error messages are built only for an error: this runs for every decision
                int at = i++;
                if (!s.isObject()) {
                    throw new InvalidInputException(path(STATEMENTS_AT, at, null) + " must be an object");
                }
                String type = string(s, "type", STATEMENTS_AT, at).trim().toUpperCase(Locale.ROOT);
                List<String> stmtTables = new ArrayList<>();
                for (String t : strings(s, "tables", STATEMENTS_AT, at)) {
                    stmtTables.add(t.toLowerCase(Locale.ROOT));
                }
                JsonNode hasWhere = s.path("has_where");
                if (!hasWhere.isMissingNode() && !hasWhere.isNull() && !hasWhere.isBoolean()) {
                    throw new InvalidInputException(path(STATEMENTS_AT, at, "has_where") + " must be a boolean");
                }
                String stmtText = s.has("text") ? string(s, "text", STATEMENTS_AT, at) : text;
                Map<String, Object> stmt = new HashMap<>(16);
                stmt.put("type", type);
                stmt.put("tables", stmtTables);
                // fail closed: a statement that does not say it has a WHERE is treated as having none
                stmt.put("has_where", hasWhere.asBoolean(false));
                stmt.put("text", stmtText);
                // fail closed: a statement that does not say it is read-only is not
                JsonNode readOnly = s.path("read_only");
                if (!readOnly.isMissingNode() && !readOnly.isNull() && !readOnly.isBoolean()) {
                    throw new InvalidInputException(path(STATEMENTS_AT, at, "read_only") + " must be a boolean");
                }
                stmt.put("read_only", readOnly.asBoolean(false));
                for (String f : STATEMENT_LISTS) {
                    stmt.put(f, strings(s, f, STATEMENTS_AT, at));
                }
                statements.add(stmt);
                types.add(type);
                tables.addAll(stmtTables);
            }
        }
        vars.put(CelEnvironment.STATEMENTS, statements);
        vars.put(CelEnvironment.STATEMENT_TYPES, types);
        vars.put(CelEnvironment.TABLES, tables);

        JsonNode time = input.path("time");
        Instant now;
        if (time.isMissingNode() || time.isNull()) {
            now = clock.get();
        } else if (!time.isTextual()) {
            throw new InvalidInputException("input.time must be an RFC 3339 string");
        } else {
            try {
                now = OffsetDateTime.parse(time.asText()).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidInputException("input.time must be an RFC 3339 timestamp, e.g. 2026-11-22T03:12:00Z");
            }
        }
        vars.put(CelEnvironment.NOW, now);
        return new PolicyInput(vars, protocol, tags, input);
    }

    private static JsonNode object(JsonNode parent, String field, String where) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        if (!node.isObject()) {
            throw new InvalidInputException(where + " must be an object");
        }
        return node;
    }

    /** {@code input.request.statements[3].type}: {@code at} is the parent's path, {@code index} its index or -1. */
    private static String path(String at, int index, String field) {
        String parent = index < 0 ? at : at + "[" + index + "]";
        return field == null ? parent : parent + "." + field;
    }

    private static String string(JsonNode parent, String field, String at, int index) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw new InvalidInputException(path(at, index, field) + " must be a string");
        }
        return node.asText();
    }

    private static List<String> strings(JsonNode parent, String field, String at, int index) {
        JsonNode node = parent.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new InvalidInputException(path(at, index, field) + " must be an array of strings");
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode e : node) {
            if (!e.isTextual()) {
                throw new InvalidInputException(path(at, index, field) + " must be an array of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static Map<String, String> tags(JsonNode connection) {
        JsonNode node = connection.path("tags");
        if (node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new InvalidInputException("input.connection.tags must be an object of strings");
        }
        Map<String, String> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidInputException("input.connection.tags." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** JSON to CEL's runtime values: int64, double, bool, string, null, list, map. */
    static Object toCel(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                node.properties().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), toCel(e.getValue()));
                }
                return map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode e : node) {
                    list.add(toCel(e));
                }
                return list;
            }
            case STRING -> {
                return node.asText();
            }
            case BOOLEAN -> {
                return node.booleanValue();
            }
            case NUMBER -> {
                return node.canConvertToLong() && node.isIntegralNumber()
                        ? (Object) node.longValue()
                        : (Object) node.doubleValue();
            }
            default -> {
                return NullValue.NULL_VALUE;
            }
        }
    }
}
