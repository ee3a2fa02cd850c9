package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.enforcement.MaskRule;
import dev.portcullis.proxy.enforcement.Masker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PgGatewayTest {

    @Inject
    PgListener listener;

    /** The application's one Masker, shared by every protocol. */
    @Inject
    Masker masker;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
    }

    @Test
    void psqlConnectsWithTokenAndQueriesThroughScramBackend() throws Exception {
        PgClients.Result r = PgClients.psql(port, token, "-c", "SELECT current_user, current_database(), 40 + 2");
        assertEquals(0, r.exit(), r.err());
        // the backend session runs as the role of the token's level (read: the read-only demo_read), authenticated by
        // SCRAM (pg_hba is SCRAM-only)
        assertEquals("demo_read|demo|42", r.out().strip());
    }

    @Test
    void psqlSimpleQueryWithSeveralStatementsIsRelayed() throws Exception {
        PgClients.Result r = PgClients.psql(port, token, "-c", "SELECT 1; SELECT count(*) FROM scratch");
        assertEquals(0, r.exit(), r.err());
        assertEquals("1\n5", r.out().strip()); // each statement's result, in order
    }

    @Test
    void jdbcConnectsAndRunsPreparedStatements() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "jdbc-prepared")) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, $1::text || '!' FROM scratch WHERE id <= ? ORDER BY id".replace("$1", "?"))) {
                for (int round = 0; round < 8; round++) { // past prepareThreshold: named statements, binary
                    ps.setString(1, "hi");
                    ps.setInt(2, 3);
                    try (ResultSet rs = ps.executeQuery()) {
                        List<Integer> ids = new ArrayList<>();
                        while (rs.next()) {
                            ids.add(rs.getInt(1));
                            assertEquals("hi!", rs.getString(2));
                        }
                        assertEquals(List.of(1, 2, 3), ids);
                    }
                }
            }
        }
        // bound parameter values are part of the policy input
        boolean seen = ProxyTestResource.policy().inputs.stream()
                .map(i -> i.getJsonObject("request"))
                .anyMatch(r -> "execute".equals(r.getString("kind"))
                        && r.getJsonArray("parameters") != null
                        && r.getJsonArray("parameters").contains("hi")
                        && r.getJsonArray("parameters").contains("3"));
        // (JDBC sends the int in binary; the proxy decodes it by the type declared in Parse)
        assertTrue(seen, "a policy input with the bound parameters");
    }

    @Test
    void policyIsAskedWithParsedStatementsAndServiceToken() throws Exception {
        // a write token: under read the database itself refuses the DELETE (the read role has SELECT only)
        String delete = "DELETE FROM scratch WHERE id = 999";
        PgClients.Result r = PgClients.psql(port, Agents.demoAgentWriteToken(), "-c", delete);
        assertEquals(0, r.exit(), r.err());
        // matched on the exact text: inputs are shared by every test class of this run (pgbench's random
        // "aid = 99945" once matched a substring filter)
        JsonObject input = ProxyTestResource.policy().inputs.stream()
                .filter(i -> delete.equals(i.getJsonObject("request").getString("text")))
                .findFirst()
                .orElseThrow();
        JsonObject req = input.getJsonObject("request");
        JsonObject st = req.getJsonArray("statements").getJsonObject(0);
        assertEquals("DELETE", st.getString("type"), req::encodePrettily);
        assertEquals(new JsonArray().add("scratch"), st.getJsonArray("tables"));
        assertTrue(st.getBoolean("has_where"));
        assertEquals("demo-agent", input.getJsonObject("identity").getString("agent"));
        assertEquals("pg-demo", input.getJsonObject("connection").getString("name"));
        assertFalse(ProxyTestResource.policy().authorizations.isEmpty());
    }

    @Test
    void wrongTokensAreRefusedWith28P01() throws Exception {
        for (String bad : List.of("not-a-token", Agents.algNone(token), Agents.tampered(token))) {
            PgClients.Result r = PgClients.psql(port, bad, "-c", "SELECT 1");
            assertNotEquals(0, r.exit());
            assertTrue(
                    r.err().contains("password authentication failed: invalid or expired Portcullis token"), r.err());
        }
        SQLException e = assertThrows(SQLException.class, () -> PgClients.jdbc(port, Agents.algNone(token), "bad"));
        assertEquals("28P01", e.getSQLState());
    }

    @Test
    void tokenForAnotherConnectionIsRefusedWith28000() throws Exception {
        // a valid pg-demo token presented for pg-other (declared in the connections file)
        SQLException e = assertThrows(SQLException.class, () -> PgClients.jdbc(port, token, "other", "pg-other"));
        assertEquals("28000", e.getSQLState());
        assertTrue(e.getMessage().contains("does not grant access to connection"), e.getMessage());
    }

    @Test
    void tokenWithoutAnyConnectionScopeIsRefused() throws Exception {
        // without a conn: scope Keycloak does not add the session-proxy audience either
        SQLException e =
                assertThrows(SQLException.class, () -> PgClients.jdbc(port, Agents.tokenWithoutScope(), "no-scope"));
        assertEquals("28P01", e.getSQLState());
    }

    @Test
    void deniedDropReturns42501TableSurvivesAndSessionStaysUsable() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "deny-test");
                Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute("DROP TABLE scratch"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("DROP is never allowed on prod"), e.getMessage());
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM scratch")) {
                assertTrue(rs.next());
                assertEquals(5, rs.getInt(1));
            }
            // inside a transaction the denial aborts it, as any PostgreSQL error would
            c.setAutoCommit(false);
            s.executeQuery("SELECT 1").close();
            assertThrows(SQLException.class, () -> s.execute("DROP TABLE scratch"));
            SQLException aborted = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT 7")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
            }
        }
        PgClients.Result r = PgClients.psql(port, token, "-c", "DROP TABLE scratch");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("DROP is never allowed"), r.err());
        assertFalse(r.err().contains("PL/pgSQL"), r.err());
    }

    @Test
    void deniedPreparedStatementReturns42501AndPipelineRecovers() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "deny-prepared")) {
            try (PreparedStatement ps = c.prepareStatement("DROP TABLE scratch")) {
                SQLException e = assertThrows(SQLException.class, ps::execute);
                assertEquals("42501", e.getSQLState());
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM scratch WHERE id > ?")) {
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(5, rs.getInt(1));
                }
            }
        }
    }

    @Test
    void maskedColumnsAndCardNumbersInSimpleProtocol() throws Exception {
        PgClients.Result r = PgClients.psql(
                port, token, "-F", ";", "-c", "SELECT name, email, card_number, note FROM customers ORDER BY id");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length);
        String[] ada = lines[0].split(";");
        assertEquals("Ada Lovelace", ada[0]);
        assertEquals("[REDACTED]", ada[1]);
        assertEquals("************1111", ada[2]);
        assertTrue(ada[3].startsWith("hash:"), ada[3]);
        assertFalse(r.out().contains("4111111111111111"));
        assertFalse(r.out().contains("ada@example.com"));
        assertTrue(lines[2].split(";")[2].endsWith("0005"));
    }

    /** PostgreSQL masks with the injected Masker, so a {@code hash} is the same on every protocol. */
    @Test
    void hashMasksComeFromTheSharedMasker() throws Exception {
        PgClients.Result r = PgClients.psql(port, token, "-c", "SELECT note FROM customers WHERE id = 2");
        assertEquals(0, r.exit(), r.err());
        List<MaskRule> rules = List.of(
                new MaskRule("email", null, "redact"),
                new MaskRule(null, "credit_card", "last4"),
                new MaskRule("note", null, "hash"));
        assertEquals(
                masker.apply(Masker.plan(rules, "note"), "no notes"), r.out().strip());
    }

    @Test
    void maskedColumnsAndCardNumbersInExtendedProtocol() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "mask-extended")) {
            for (int round = 0; round < 7; round++) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT name, email, card_number, 'x ' || card_number AS free FROM customers WHERE id = ?")) {
                    ps.setInt(1, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals("Ada Lovelace", rs.getString(1));
                        assertEquals("[REDACTED]", rs.getString(2));
                        assertEquals("************1111", rs.getString(3));
                        assertEquals("x ************1111", rs.getString(4));
                    }
                }
            }
        }
    }

    @Test
    void cancelReachesTheBackend() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "cancel-test");
                Statement s = c.createStatement()) {
            long start = System.nanoTime();
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1000);
                    s.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(30)"));
            canceller.get(5, TimeUnit.SECONDS);
            assertEquals("57014", e.getSQLState(), e.getMessage());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }

    @Test
    void pgbenchInitAndPreparedRunComplete() throws Exception {
        List<String> init = List.of(
                "pgbench",
                "-i",
                "-s",
                "1",
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "agent",
                ProxyTestResource.CONNECTION);
        // pgbench -i creates tables and the default script writes: a write token (a read session's role cannot)
        String writeToken = Agents.demoAgentWriteToken();
        PgClients.Result r = PgClients.run(init, writeToken, null, 120);
        assertEquals(0, r.exit(), r.err());
        List<String> run = List.of(
                "pgbench",
                "-M",
                "prepared",
                "-c",
                "2",
                "-j",
                "2",
                "-t",
                "200",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "agent",
                ProxyTestResource.CONNECTION);
        r = PgClients.run(run, writeToken, null, 120);
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("number of transactions actually processed: 400/400"), r.out());
        assertTrue(r.out().contains("number of failed transactions: 0"), r.out());
    }
}
