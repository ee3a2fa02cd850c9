package dev.portcullis.proxy.pg;

import static dev.portcullis.proxy.pg.PgWire.first;
import static dev.portcullis.proxy.pg.PgWire.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A simple Query reaches the backend as one Parse/Bind/Describe/Execute per statement and one
 * Sync, so PostgreSQL itself refuses any statement whose boundaries the proxy got wrong, and the
 * client still sees what a simple Query gives (docs/architecture.md, "PostgreSQL").
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class SimpleQueryConversionTest {

    static final String TABLE = "smug";
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

    @Test
    void severalStatementsGiveEachResultAndExactlyOneReadyForQuery() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-multi")) {
            List<PgWire.Msg> a = w.query("SELECT 1 AS a; SELECT 'x' AS b, 2; SELECT count(*) FROM smug")
                    .roundTrip(1)
                    .get(0);
            assertEquals("TDCTDCTDCZ", types(a)); // no ParseComplete, BindComplete or NoData leaks
            assertEquals(List.of("x", "2"), a.get(4).values());
            assertEquals(List.of("5"), a.get(7).values());
            // a statement without rows: CommandComplete alone
            assertEquals(
                    "CZ",
                    types(w.query("SET application_name = 'conv-multi'")
                            .roundTrip(1)
                            .get(0)));
        }
    }

    @Test
    void anErrorStopsTheQueryRollsBackItsImplicitTransactionAndPointsWherePsqlExpects() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-error")) {
            String sql = "INSERT INTO smug VALUES (6); SELECT nosuchcol FROM smug; INSERT INTO smug VALUES (7)";
            List<PgWire.Msg> a = w.query(sql).roundTrip(1).get(0);
            assertEquals("CEZ", types(a));
            PgWire.Msg error = first(a, 'E');
            assertEquals("42703", error.sqlstate());
            // PostgreSQL counts characters from 1 in the client's whole query
            assertEquals(
                    String.valueOf(sql.indexOf("nosuchcol") + 1), error.fields().get('P'));
            assertEquals('I', (char) a.get(2).body()[0]);
        }
        assertEquals(INTACT, Target.checksum(TABLE), "the first INSERT was rolled back with the query");
    }

    @Test
    void errorPositionCountsCharactersNotUtf16Units() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-emoji")) {
            String sql = "SELECT '\uD83D\uDE00 é'; SELECT nosuchcol";
            PgWire.Msg error = first(w.query(sql).roundTrip(1).get(0), 'E');
            int expected = sql.codePointCount(0, sql.indexOf("nosuchcol")) + 1;
            assertEquals(String.valueOf(expected), error.fields().get('P'));
        }
    }

    @Test
    void psqlShowsTheSameErrorAndCaretAsPostgresDirectly() throws Exception {
        String password = Files.readString(Path.of("target", "proxy-test", "pg-demo.password"));
        for (String sql : List.of(
                "SELECT 1; SELECT nosuchcol FROM smug",
                "SELECT 'ü\uD83D\uDE00';\n  SELECT 2;\n\tSELECT  count(nosuch) FROM smug")) {
            PgClients.Result proxied = PgClients.psql(port, token, "-c", sql);
            PgClients.Result direct = PgClients.run(
                    List.of(
                            "psql",
                            "-X",
                            "-At",
                            "-v",
                            "ON_ERROR_STOP=1",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            String.valueOf(ProxyTestResource.stack().postgres().port()),
                            "-U",
                            ProxyTestResource.ROLE,
                            "-d",
                            ProxyTestResource.DATABASE,
                            "-c",
                            sql),
                    password,
                    null,
                    60);
            assertNotEquals(0, direct.exit(), direct.err());
            assertTrue(direct.err().contains("^"), direct.err());
            assertEquals(direct.err(), proxied.err(), sql);
            assertEquals(direct.out(), proxied.out(), sql);
        }
    }

    /**
     * Texts whose statement boundaries a scanner that differs from PostgreSQL's gets wrong: whatever
     * the proxy's lexer makes of them, the backend runs nothing the proxy did not decide on.
     */
    @Test
    void smuggledSecondStatementsNeverRun() throws Exception {
        List<String> texts = List.of(
                "SELECT 1 --\r; DROP TABLE smug",
                "SELECT 1 AS x\u00b7$a$; DROP TABLE smug; SELECT $a$",
                "SELECT 1 AS \u00e9$a$; DROP TABLE smug; SELECT $a$",
                "SELECT 'a' /* /* nested */ ; DROP TABLE smug; /* */",
                "SELECT E'\\''; DROP TABLE smug; SELECT '",
                "SELECT U&'\\0027'; DROP TABLE smug; SELECT '",
                "SELECT $$a$$; DROP TABLE smug; --",
                "SELECT 1 -- comment\r\n; DROP TABLE smug --\r");
        try (PgWire w = PgWire.login(port, token, "conv-smuggle")) {
            for (String text : texts) {
                List<PgWire.Msg> a = w.query(text).roundTrip(1).get(0);
                assertEquals('Z', a.get(a.size() - 1).type(), text);
                assertEquals(INTACT, Target.checksum(TABLE), "after " + text.replace("\r", "\\r") + ": " + a);
            }
        }
    }

    @Test
    void emptyAndCommentOnlyQueriesNeverReachTheBackend() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-empty")) {
            assertEquals("TDCZ", types(w.query("SELECT 'before'").roundTrip(1).get(0)));
            for (String text : List.of("", "   ", ";", " ; ;\n", "-- marker-1", "/* marker-2 /* nested */ */ ;")) {
                List<PgWire.Msg> a = w.query(text).roundTrip(1).get(0);
                assertEquals("IZ", types(a), text);
            }
            assertEquals("SELECT 'before'", Target.lastQuery("conv-empty"));
        }
        assertFalse(ProxyTestResource.policy().inputs.stream()
                .anyMatch(i -> i.getJsonObject("request").getString("text").contains("marker-")));
    }

    @Test
    void statementsThatDifferInAPipelineAreRefusedInAMultiStatementQuery() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-block")) {
            for (String text : List.of(
                    "INSERT INTO smug VALUES (6); VACUUM smug",
                    "INSERT INTO smug VALUES (6); DECLARE c CURSOR FOR SELECT 1",
                    "INSERT INTO smug VALUES (6); LOCK smug",
                    "INSERT INTO smug VALUES (6); SET LOCAL work_mem = '8MB'",
                    "INSERT INTO smug VALUES (6); SAVEPOINT a",
                    "INSERT INTO smug VALUES (6); COPY smug TO STDOUT",
                    "INSERT INTO smug VALUES (6); CREATE INDEX CONCURRENTLY i ON smug (id)",
                    // PostgreSQL parses a whole Query first: a syntax error after COMMIT commits nothing
                    "BEGIN; INSERT INTO smug VALUES (6); COMMIT; SELEC 1",
                    "BEGIN; INSERT INTO smug VALUES (6); END; SELECT 1",
                    "BEGIN; INSERT INTO smug VALUES (6); commit work; SELECT 1")) {
                List<PgWire.Msg> a = w.query(text).roundTrip(1).get(0);
                assertEquals("EZ", types(a), text);
                assertEquals("0A000", a.get(0).sqlstate(), text);
                assertTrue(a.get(0).fields().get('M').contains("send it as its own query"), text);
                assertEquals(INTACT, Target.checksum(TABLE), text);
            }
            // on their own they run, and COMMIT as the last statement converts
            assertEquals("CZ", types(w.query("VACUUM smug").roundTrip(1).get(0)));
            assertEquals(
                    "CTCCZ",
                    types(w.query("BEGIN; SELECT 1 FROM smug WHERE false; COMMIT")
                            .roundTrip(1)
                            .get(0)));
            assertEquals("CZ", types(w.query("BEGIN").roundTrip(1).get(0)));
            assertEquals("CZ", types(w.query("LOCK smug").roundTrip(1).get(0)));
            assertEquals("CZ", types(w.query("ROLLBACK").roundTrip(1).get(0)));
        }
    }

    @Test
    void deniedStatementInAQueryRunsNothingOfIt() throws Exception {
        try (PgWire w = PgWire.login(port, token, "conv-deny")) {
            List<PgWire.Msg> a = w.query("INSERT INTO smug VALUES (6); DROP TABLE smug")
                    .roundTrip(1)
                    .get(0);
            assertEquals("EZ", types(a));
            assertEquals("42501", a.get(0).sqlstate());
        }
        assertEquals(INTACT, Target.checksum(TABLE));
    }

    @Test
    void psqlCopyBothWaysAndBadDataKeepTheSessionInStep() throws Exception {
        PgClients.Result out = PgClients.psql(port, token, "-c", "\\copy smug TO STDOUT");
        assertEquals(0, out.exit(), out.err());
        assertEquals("1\n2\n3\n4\n5", out.out().strip());
        PgClients.Result in = PgClients.run(psql("-c", "COPY smug FROM STDIN"), token, "6\n7\n\\.\n", 60);
        assertEquals(0, in.exit(), in.err());
        assertEquals("7/28", Target.checksum(TABLE));
        Target.reset(TABLE);
        // bad data: the COPY fails, nothing of it stays, and the same session answers the next query
        Path script = Files.createTempFile("copy", ".sql");
        Files.writeString(script, """
                COPY smug FROM STDIN;
                8
                not-a-number
                \\.
                SELECT 'after', count(*) FROM smug;
                \\copy smug FROM pstdin
                """);
        PgClients.Result bad =
                PgClients.run(psql("-v", "ON_ERROR_STOP=0", "-f", script.toString()), token, "9\n\\.\n", 60);
        assertTrue(bad.err().contains("invalid input syntax for type integer"), bad.err());
        assertTrue(bad.out().contains("after|5"), bad.out());
        assertEquals("6/24", Target.checksum(TABLE), "the bad COPY left nothing, the \\copy after it added 9");
    }

    private List<String> psql(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                "psql",
                "-X",
                "-At",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-U",
                "agent",
                "-d",
                ProxyTestResource.CONNECTION));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
