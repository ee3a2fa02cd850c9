package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.PgWire.first;
import static dev.portcullis.proxy.pg.PgWire.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prepared statements and portals as the backend holds them: the proxy decides every Bind and
 * Execute on the text the backend will run, whatever the client re-Parses, closes, pipelines or
 * names through SQL (docs/architecture.md, "PostgreSQL").
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class ExtendedProtocolNamesTest {

    static final String TABLE = "names";
    static final String INTACT = "5/15";

    @Inject
    PgListener listener;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        // these tests write: a read session's role cannot (the database enforces read-only too)
        token = Agents.demoAgentWriteToken();
        Target.reset(TABLE);
    }

    private static JsonObject lastRequest() {
        List<JsonObject> inputs = ProxyTestResource.policy().inputs;
        return inputs.get(inputs.size() - 1).getJsonObject("request");
    }

    @Test
    void reParseOfAnExistingNameLeavesTheBackendsTextAndThatIsWhatIsDecided() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-reparse")) {
            assertEquals(
                    "1Z",
                    types(w.parse("s1", "DROP TABLE names").sync().roundTrip(1).get(0)));
            List<PgWire.Msg> again =
                    w.parse("s1", "SELECT 1").sync().roundTrip(1).get(0);
            assertEquals("EZ", types(again));
            assertEquals("42P05", again.get(0).sqlstate());
            List<PgWire.Msg> run =
                    w.bind("", "s1").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("EZ", types(run));
            assertEquals("42501", run.get(0).sqlstate(), run.toString());
            assertEquals("DROP TABLE names", lastRequest().getString("text"));
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void aParseSkippedAfterAnErrorLeavesTheOldUnnamedStatement() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-skipped")) {
            assertEquals(
                    "1Z", types(w.parse("", "SELECT 41 + 1").sync().roundTrip(1).get(0)));
            // one pipeline: the first Parse fails, so the backend skips the second
            List<PgWire.Msg> a = w.parse("bad", "SELEC 1")
                    .parse("", "DROP TABLE names")
                    .sync()
                    .roundTrip(1)
                    .get(0);
            assertEquals("EZ", types(a));
            List<PgWire.Msg> run =
                    w.bind("", "").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("2DCZ", types(run));
            assertEquals(List.of("42"), run.get(1).values());
            assertEquals("SELECT 41 + 1", lastRequest().getString("text"));
            // and the name whose Parse failed is unknown
            List<PgWire.Msg> bad =
                    w.bind("", "bad").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("26000", first(bad, 'E').sqlstate());
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void aFailedUnnamedParseLeavesNoUnnamedStatement() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-failed")) {
            assertEquals(
                    "1Z",
                    types(w.parse("", "DELETE FROM names WHERE id > 0")
                            .sync()
                            .roundTrip(1)
                            .get(0)));
            assertEquals("EZ", types(w.parse("", "SELEC 1").sync().roundTrip(1).get(0)));
            List<PgWire.Msg> run =
                    w.bind("", "").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("EZ", types(run));
            assertEquals("26000", run.get(0).sqlstate());
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void unknownNamesAreRefusedAndTheRestOfTheBatchDropped() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-unknown")) {
            List<List<PgWire.Msg>> a = w.bind("", "never-parsed")
                    .execute("", 0)
                    .sync()
                    .execute("no-portal", 0)
                    .parse("", "DELETE FROM names WHERE id > 0")
                    .bind("", "")
                    .execute("", 0)
                    .sync()
                    .describe('S', "nope")
                    .sync()
                    .describe('P', "nope")
                    .sync()
                    .roundTrip(4);
            assertEquals("EZ", types(a.get(0)));
            assertEquals("26000", a.get(0).get(0).sqlstate());
            assertTrue(a.get(0).get(0).fields().get('M').contains("never-parsed"));
            assertEquals("EZ", types(a.get(1)), "the DELETE after the refused Execute was dropped");
            assertEquals("34000", a.get(1).get(0).sqlstate());
            assertEquals("26000", a.get(2).get(0).sqlstate());
            assertEquals("34000", a.get(3).get(0).sqlstate());
            assertEquals("TDCZ", types(w.query("SELECT 1").roundTrip(1).get(0)), "the session goes on");
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void closeThenBindIsRefused() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-close")) {
            assertEquals(
                    "1Z", types(w.parse("c1", "SELECT 1").sync().roundTrip(1).get(0)));
            assertEquals("3Z", types(w.close('S', "c1").sync().roundTrip(1).get(0)));
            List<PgWire.Msg> a =
                    w.bind("", "c1").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("EZ", types(a));
            assertEquals("26000", a.get(0).sqlstate());
            // a Close the backend skipped (error before it) leaves the statement known
            assertEquals(
                    "1Z", types(w.parse("c2", "SELECT 2").sync().roundTrip(1).get(0)));
            assertEquals(
                    "EZ",
                    types(w.parse("x", "SELEC")
                            .close('S', "c2")
                            .sync()
                            .roundTrip(1)
                            .get(0)));
            assertEquals(
                    "2DCZ",
                    types(w.bind("", "c2").execute("", 0).sync().roundTrip(1).get(0)));
        }
    }

    @Test
    void pipelinedBatchesWithAnErrorInTheMiddle() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-pipeline")) {
            List<List<PgWire.Msg>> a = w.parse("p1", "SELECT count(*) FROM names")
                    .bind("", "p1")
                    .describe('P', "")
                    .execute("", 0)
                    .sync()
                    .parse("p2", "SELECT nosuchcol FROM names")
                    .bind("", "p2")
                    .describe('P', "")
                    .execute("", 0)
                    .sync()
                    .parse("p3", "INSERT INTO names VALUES (6)")
                    .bind("", "p3")
                    .execute("", 0)
                    .parse("p4", "SELECT 1 / (id - id) FROM names")
                    .bind("", "p4")
                    .execute("", 0)
                    .sync()
                    .bind("", "p1")
                    .execute("", 0)
                    .sync()
                    .roundTrip(4);
            assertEquals("12TDCZ", types(a.get(0)));
            assertEquals("EZ", types(a.get(1)));
            assertEquals("12C12EZ", types(a.get(2)));
            assertEquals("22012", first(a.get(2), 'E').sqlstate());
            assertEquals("2DCZ", types(a.get(3)));
            assertEquals(List.of("5"), a.get(3).get(1).values(), "the INSERT was rolled back with its pipeline");
            List<PgWire.Msg> p2 =
                    w.bind("", "p2").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("26000", p2.get(0).sqlstate(), "a failed Parse is not remembered");
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void sqlPrepareExecuteAndDeallocateShareTheProtocolNamespace() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-sql")) {
            assertEquals(
                    "CZ",
                    types(w.query("PREPARE q1 AS SELECT count(*) FROM names")
                            .roundTrip(1)
                            .get(0)));
            List<PgWire.Msg> bound =
                    w.bind("", "q1").execute("", 0).sync().roundTrip(1).get(0);
            assertEquals("2DCZ", types(bound));
            assertEquals(List.of("5"), bound.get(1).values());
            assertEquals("SELECT count(*) FROM names", lastRequest().getString("text"));
            List<PgWire.Msg> executed = w.query("EXECUTE q1").roundTrip(1).get(0);
            assertEquals("TDCZ", types(executed));
            assertEquals(
                    "SELECT count(*) FROM names",
                    lastRequest().getJsonArray("statements").getJsonObject(0).getString("text"),
                    "EXECUTE is decided on the prepared text");
            // a protocol statement run through SQL EXECUTE: decided on the DELETE it holds
            String delete = "DELETE FROM names WHERE id > 0 /* " + FakePolicyServer.DENY_MARKER + " */";
            assertEquals("1Z", types(w.parse("q2", delete).sync().roundTrip(1).get(0)));
            List<PgWire.Msg> denied = w.query("EXECUTE q2").roundTrip(1).get(0);
            assertEquals("EZ", types(denied));
            assertEquals("42501", denied.get(0).sqlstate());
            // nested forms are refused rather than decided on the outer text
            assertEquals(
                    "0A000",
                    w.query("EXPLAIN ANALYZE EXECUTE q2")
                            .roundTrip(1)
                            .get(0)
                            .get(0)
                            .sqlstate());
            assertEquals(
                    "0A000",
                    w.query("CREATE TABLE copied AS EXECUTE q1")
                            .roundTrip(1)
                            .get(0)
                            .get(0)
                            .sqlstate());
            // a name the proxy knows cannot be re-prepared, an unknown one cannot be run
            assertEquals(
                    "42P05",
                    w.query("PREPARE q1 AS SELECT 2").roundTrip(1).get(0).get(0).sqlstate());
            assertEquals(
                    "26000", w.query("EXECUTE nope").roundTrip(1).get(0).get(0).sqlstate());
            assertEquals("CZ", types(w.query("DEALLOCATE q1").roundTrip(1).get(0)));
            assertEquals(
                    "26000",
                    w.bind("", "q1")
                            .execute("", 0)
                            .sync()
                            .roundTrip(1)
                            .get(0)
                            .get(0)
                            .sqlstate());
            assertEquals("CZ", types(w.query("DEALLOCATE ALL").roundTrip(1).get(0)));
            assertEquals(
                    "26000", w.query("EXECUTE q2").roundTrip(1).get(0).get(0).sqlstate());
        }
        assertEquals(INTACT, Target.checksum(TABLE));
        assertEquals("absent", Target.checksum("copied"));
    }

    @Test
    void sqlCursorsAreMaskedPortalsThatEndWithTheirTransaction() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-cursor")) {
            assertEquals("CZ", types(w.query("BEGIN").roundTrip(1).get(0)));
            assertEquals(
                    "CZ",
                    types(w.query("DECLARE c CURSOR FOR SELECT name, email FROM customers ORDER BY id")
                            .roundTrip(1)
                            .get(0)));
            List<PgWire.Msg> fetched = w.query("FETCH 1 FROM c").roundTrip(1).get(0);
            assertEquals("TDCZ", types(fetched));
            assertEquals(List.of("Ada Lovelace", "[REDACTED]"), fetched.get(1).values());
            // the protocol's Execute names the same portal, masked by the DECLARE's decision
            List<PgWire.Msg> executed = w.execute("c", 1).sync().roundTrip(1).get(0);
            assertEquals("DsZ", types(executed));
            assertEquals(List.of("Alan Turing", "[REDACTED]"), executed.get(0).values());
            assertEquals("CZ", types(w.query("COMMIT").roundTrip(1).get(0)));
            assertEquals(
                    "34000", w.execute("c", 1).sync().roundTrip(1).get(0).get(0).sqlstate());
            assertEquals(
                    "34000",
                    w.query("FETCH 1 FROM c").roundTrip(1).get(0).get(0).sqlstate());
            // WITH HOLD outlives the transaction until CLOSE
            assertEquals(
                    "CZ",
                    types(w.query("DECLARE h CURSOR WITH HOLD FOR SELECT email FROM customers ORDER BY id")
                            .roundTrip(1)
                            .get(0)));
            List<PgWire.Msg> held = w.query("FETCH 2 FROM h").roundTrip(1).get(0);
            assertEquals("TDDCZ", types(held));
            assertEquals(List.of("[REDACTED]"), held.get(2).values());
            assertEquals("CZ", types(w.query("CLOSE h").roundTrip(1).get(0)));
            assertEquals(
                    "34000",
                    w.query("FETCH 1 FROM h").roundTrip(1).get(0).get(0).sqlstate());
        }
    }

    @Test
    void protocolPortalsAreForgottenAfterCommit() throws Exception {
        try (PgWire w = PgWire.login(port, token, "names-commit")) {
            assertEquals("CZ", types(w.query("BEGIN").roundTrip(1).get(0)));
            assertEquals(
                    "12Z",
                    types(w.parse("k1", "SELECT generate_series(1, 3)")
                            .bind("pk", "k1")
                            .sync()
                            .roundTrip(1)
                            .get(0)));
            assertEquals("DsZ", types(w.execute("pk", 1).sync().roundTrip(1).get(0)));
            assertEquals("CZ", types(w.query("COMMIT").roundTrip(1).get(0)));
            List<PgWire.Msg> after = w.execute("pk", 1).sync().roundTrip(1).get(0);
            assertEquals("EZ", types(after));
            assertEquals("34000", after.get(0).sqlstate());
        }
    }

    @Test
    void jdbcPreparedStatementsAndBatchesKeepWorking() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "names-jdbc")) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO names VALUES (?)")) {
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 4; i++) {
                        ps.setInt(1, 100 + round * 10 + i);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM names WHERE id > ?")) {
                for (int round = 0; round < 8; round++) { // past prepareThreshold: a named statement
                    ps.setInt(1, 99);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(12, rs.getInt(1));
                    }
                }
            }
            c.rollback();
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void pgbenchSelectOnlySimpleAndPrepared() throws Exception {
        List<String> base = List.of("-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "agent");
        PgClients.Result init = PgClients.run(
                concat(List.of("pgbench", "-i", "-s", "1", "-q"), base, ProxyTestResource.CONNECTION),
                token,
                null,
                180);
        assertEquals(0, init.exit(), init.err());
        for (String mode : List.of("simple", "prepared")) {
            PgClients.Result r = PgClients.run(
                    concat(
                            List.of("pgbench", "-S", "-M", mode, "-c", "2", "-t", "200"),
                            base,
                            ProxyTestResource.CONNECTION),
                    token,
                    null,
                    180);
            assertEquals(0, r.exit(), r.err() + r.out());
            assertTrue(r.out().contains("number of transactions actually processed: 400/400"), r.out());
            assertTrue(r.out().contains("number of failed transactions: 0"), r.out());
        }
    }

    private static List<String> concat(List<String> a, List<String> b, String last) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        out.add(last);
        return out;
    }
}
