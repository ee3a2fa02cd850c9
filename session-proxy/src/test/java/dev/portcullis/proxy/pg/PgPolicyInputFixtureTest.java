package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.assertMatchesFixture;
import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.connection;
import static dev.portcullis.proxy.enforcement.PolicyInputFixturesTest.identity;

import dev.portcullis.contracts.connections.ConnectionType;
import dev.portcullis.proxy.enforcement.PolicyInput;
import dev.portcullis.proxy.pg.sql.FunctionVolatility;
import dev.portcullis.proxy.pg.sql.PolicyRequest;
import dev.portcullis.proxy.pg.sql.SqlAnalyzer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A simple-protocol query's policy input, built as PgSession builds it, equals contracts' golden input. */
class PgPolicyInputFixtureTest {

    @Test
    void simpleQueryMatchesTheFixture() {
        String sql = "SELECT id, email FROM customers WHERE id = 42";
        JsonObject request =
                PolicyRequest.of("query", sql, new SqlAnalyzer(64 * 1024).analyze(sql), null, FunctionVolatility.NONE);
        JsonObject input = PolicyInput.of(
                identity("ci-runner", "9b2f4c1e-5d3a-4e8b-a7c6-0f1e2d3c4b5a", "conn:pg-prod:read", "read"),
                connection("pg-prod", ConnectionType.POSTGRES),
                "5f0c6a2e-8d41-4b7a-9e3c-2a1b0c9d8e7f",
                "10.0.3.17:51544",
                Instant.parse("2026-11-22T03:11:58.412Z"),
                request);
        assertMatchesFixture("input-postgres-query", input);
    }
}
