package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.PostgresServer;
import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.FakePolicyServer;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The target's catalog reaches the read-only classification: the session loads it before the client is ready,
 * function calls are read-only by their volatility (not by a name list), and DDL through the proxy makes every session
 * of the connection load it again before its next decision.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PgCatalogWiringTest {

    @Inject
    PgListener listener;

    int port;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
    }

    /** The first statement of that exact text the policy was asked about. */
    static JsonObject statement(String text) {
        List<JsonObject> found = ProxyTestResource.policy().inputs.stream()
                .map(i -> i.getJsonObject("request"))
                .filter(r -> text.equals(r.getString("text")))
                .toList();
        assertFalse(found.isEmpty(), () -> "policy was asked about " + text);
        return found.get(found.size() - 1).getJsonArray("statements").getJsonObject(0);
    }

    @Test
    void builtInFunctionsAreReadOnlyByTheirVolatilityAndVolatileOnesAreNot() throws Exception {
        String count = "SELECT count(*), max(lower(name)) FROM customers /* " + UUID.randomUUID() + " */";
        PgClients.Result r = PgClients.psql(port, Agents.demoAgentToken(), "-c", count);
        assertEquals(0, r.exit(), r.err());
        assertTrue(
                statement(count).getBoolean("read_only"), () -> statement(count).encode());

        // denied by the fake's marker, so the sequence is untouched; its input still says what it is
        String setval = "SELECT setval('customers_id_seq', 1) /* " + FakePolicyServer.DENY_MARKER + " "
                + UUID.randomUUID() + " */";
        r = PgClients.psql(port, Agents.demoAgentToken(), "-c", setval);
        assertNotEquals(0, r.exit());
        assertFalse(statement(setval).getBoolean("read_only"));
        assertTrue(statement(setval).getJsonArray("calls").contains("setval"));

        // the extended protocol is decided with the same catalog
        String prepared = "SELECT upper(name) FROM customers WHERE id = ? /* " + UUID.randomUUID() + " */";
        try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "catalog-jdbc");
                PreparedStatement ps = c.prepareStatement(prepared)) {
            ps.setInt(1, 1);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("ADA LOVELACE", rs.getString(1));
            }
        }
        assertTrue(statement(prepared.replace("?", "$1")).getBoolean("read_only"));
    }

    @Test
    void ddlThroughTheProxyReloadsTheCatalogBeforeTheNextDecision() throws Exception {
        String fn = "portcullis_probe_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String call1 = "SELECT " + fn + "() AS first";
        String call2 = "SELECT " + fn + "() AS second";
        String call3 = "SELECT " + fn + "() AS third";
        try {
            // one session: the function it creates is known (STABLE) to its very next statement
            PgClients.Result r = PgClients.psql(
                    port,
                    PgCatalogWiringTest.writeToken(),
                    "-c",
                    "CREATE FUNCTION " + fn + "() RETURNS int STABLE LANGUAGE sql AS 'SELECT 7'",
                    "-c",
                    call1);
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().strip().endsWith("\n7"), r.out());
            assertTrue(
                    statement(call1).getBoolean("read_only"),
                    () -> statement(call1).encode());

            // a new session takes the shared snapshot: still the STABLE one
            r = PgClients.psql(port, Agents.demoAgentToken(), "-c", call2);
            assertEquals(0, r.exit(), r.err());
            assertTrue(statement(call2).getBoolean("read_only"));

            // replaced as VOLATILE through the proxy: every session's next decision sees it
            r = PgClients.psql(
                    port,
                    PgCatalogWiringTest.writeToken(),
                    "-c",
                    "CREATE OR REPLACE FUNCTION " + fn + "() RETURNS int VOLATILE LANGUAGE sql AS 'SELECT 8'");
            assertEquals(0, r.exit(), r.err());
            r = PgClients.psql(port, Agents.demoAgentToken(), "-c", call3);
            assertEquals(0, r.exit(), r.err());
            assertFalse(
                    statement(call3).getBoolean("read_only"),
                    () -> statement(call3).encode());
        } finally {
            ProxyTestResource.stack()
                    .postgres()
                    .execute(ProxyTestResource.DATABASE, "DROP FUNCTION IF EXISTS " + fn + "()");
        }
    }

    /**
     * A server-side prepared statement keeps its plan memo (the policy input and the result's lineage) only while the
     * catalog it was planned with is current. A view over a table with nothing sensitive is shown unmasked; redefined
     * in the same session to read the masked column of another table — in autocommit, and inside the redefining
     * transaction — the statement's next execution is masked by the new definition: the target re-plans the
     * statement, so must the proxy. The target ends as it began (the view dropped, the table unchanged).
     */
    @Test
    void aPreparedStatementOverAViewRedefinedInTheSessionIsMaskedByItsNewDefinition() throws Exception {
        String view = "portcullis_swap_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String plain = "CREATE OR REPLACE VIEW " + view + " AS SELECT s.id, 'plain-' || s.id AS label FROM scratch s";
        String sensitive = "CREATE OR REPLACE VIEW " + view + " AS SELECT c.id, c.email AS label FROM customers c";
        String before = customersChecksum();
        try (Connection c = PgClients.jdbc(port, writeToken(), "view-swap");
                java.sql.Statement st = c.createStatement()) {
            st.execute(plain);
            // the test policy masks `email` for statements that name customers (FakePolicyServer): the join names it;
            // where the label comes from only the catalog knows
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT v.label FROM " + view + " v JOIN customers c ON c.id = v.id WHERE v.id = ?")) {
                for (int round = 0; round < 7; round++) { // past prepareThreshold: a named server statement
                    label(ps);
                }
                assertTrue(ps.unwrap(org.postgresql.PGStatement.class).isUseServerPrepare(), "a named statement");
                assertEquals("plain-1", label(ps), "once the catalog is loaded, the view's label is not sensitive");

                st.execute(sensitive);
                for (int round = 0; round < 3; round++) {
                    String shown = label(ps);
                    assertFalse(shown.contains("@"), () -> "the redefined view's email reached the client: " + shown);
                }

                st.execute(plain);
                label(ps);
                assertEquals("plain-1", label(ps), "the plain definition again, loaded");
                c.setAutoCommit(false); // the redefinition and the execution in one transaction
                st.execute(sensitive);
                String inTransaction = label(ps);
                assertFalse(
                        inTransaction.contains("@"),
                        () -> "inside the redefining transaction the email reached the client: " + inTransaction);
                c.rollback();
                c.setAutoCommit(true);
            }
        } finally {
            ProxyTestResource.stack().postgres().execute(ProxyTestResource.DATABASE, "DROP VIEW IF EXISTS " + view);
        }
        assertEquals(before, customersChecksum(), "the table is unchanged");
    }

    private static String label(PreparedStatement ps) throws java.sql.SQLException {
        ps.setInt(1, 1);
        try (ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next(), "row 1");
            return String.valueOf(rs.getString(1));
        }
    }

    private static String customersChecksum() throws Exception {
        var pg = ProxyTestResource.stack().postgres();
        try (Connection c = pg.connect(ProxyTestResource.DATABASE, PostgresServer.SUPERUSER, pg.superPassword());
                java.sql.Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customers c")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    /** A token whose sessions may change the target (a read session's role cannot). */
    static String writeToken() {
        return Agents.demoAgentWriteToken();
    }
}
