package dev.portcullis.proxy.pg.sql;

import dev.portcullis.proxy.pg.sql.SqlAnalyzer.StatementInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The {@code request} part of the policy input for PostgreSQL (docs/architecture.md, "Policy input"). */
public final class PolicyRequest {

    private PolicyRequest() {}

    /**
     * @param kind {@code query} (simple protocol) or {@code execute} (a Bind of the extended protocol)
     * @param params the bound parameters as text, or null for a simple query
     * @param functions the target's function catalog, for whether each statement is read-only
     */
    public static JsonObject of(
            String kind, String text, List<StatementInfo> infos, JsonArray params, FunctionVolatility functions) {
        JsonArray stmts = new JsonArray();
        for (StatementInfo s : infos) {
            stmts.add(statement(s, functions));
        }
        JsonObject r = new JsonObject()
                .put("protocol", "postgres")
                .put("kind", kind)
                .put("text", text)
                .put("statements", stmts);
        if (params != null) {
            r.put("parameters", params);
        }
        return r;
    }

    /** One statement of the input: what it is, and what it reads, writes, calls and sets. */
    static JsonObject statement(StatementInfo s, FunctionVolatility functions) {
        return new JsonObject()
                .put("type", s.type())
                .put("tables", new JsonArray(s.tables()))
                .put("has_where", s.hasWhere())
                .put("text", s.text())
                .put("read_only", s.readOnly(functions))
                .put("not_read_only", new JsonArray(s.notReadOnly()))
                .put("reads", new JsonArray(s.reads()))
                .put("writes", new JsonArray(s.writes()))
                .put("calls", new JsonArray(s.calls()))
                .put("settings", new JsonArray(s.settings()))
                .put("predicate_columns", new JsonArray(s.predicateColumns()));
    }
}
