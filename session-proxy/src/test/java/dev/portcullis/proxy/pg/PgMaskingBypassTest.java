package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import dev.portcullis.proxy.pg.masking.CopyGuard;
import dev.portcullis.proxy.pg.masking.MessageMasker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Masking follows the data through the proxy: the policy (FakePolicyServer) masks {@code customers.email} by column
 * (redact) and card numbers by detector; no expression, alias, cast, whole-row reference, aggregate, sub-select, CTE,
 * UNION, error message or COPY gets a seeded e-mail address to the client, in any of its plain, reversed, upper-case,
 * hex or base64 forms. No e-mail detector is in play: only the lineage masks them.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PgMaskingBypassTest {

    /** The e-mail addresses ProxyTestResource seeds into customers.email. */
    static final List<String> EMAILS = List.of("ada@example.com", "alan@example.org", "grace@example.net");

    @Inject
    PgListener listener;

    int port;
    String token;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        token = Agents.demoAgentToken();
    }

    /** Every form of every seeded address a client could decode one from. */
    static List<String> canaries() {
        List<String> out = new ArrayList<>();
        for (String e : EMAILS) {
            byte[] b = e.getBytes(StandardCharsets.UTF_8);
            out.add(e);
            out.add(new StringBuilder(e).reverse().toString());
            out.add(e.toUpperCase(Locale.ROOT));
            out.add(HexFormat.of().formatHex(b));
            out.add(Base64.getEncoder().encodeToString(b));
            out.add(e.replace("@", " at "));
        }
        return out;
    }

    static void assertNoCanary(String what, String bytes) {
        for (String c : canaries()) {
            assertFalse(bytes.contains(c), () -> what + " leaked " + c + ": " + bytes);
        }
        assertFalse(bytes.contains("example."), () -> what + " leaked a domain: " + bytes);
    }

    private PgClients.Result psql(String sql) throws Exception {
        return PgClients.psql(port, token, "-v", "VERBOSITY=verbose", "-c", sql);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT email FROM customers",
                "SELECT email AS x FROM customers",
                "SELECT replace(email, '@', ' at ') AS x FROM customers",
                "SELECT reverse(email) FROM customers",
                "SELECT upper(email) FROM customers",
                "SELECT encode(convert_to(email, 'UTF8'), 'base64') FROM customers",
                "SELECT encode(email::bytea, 'hex') FROM customers",
                "SELECT row_to_json(c) FROM customers c",
                "SELECT c::text FROM customers c",
                "SELECT json_agg(customers) FROM customers",
                "SELECT to_json(c.*) FROM customers c",
                "SELECT ROW(c.*) FROM customers c",
                "SELECT string_agg(email, ',') FROM customers",
                "SELECT array_agg(email) FROM customers",
                "SELECT format('%s', email) FROM customers",
                "SELECT (SELECT max(email) FROM customers)",
                "SELECT x FROM (SELECT lower(email) AS x FROM customers) s",
                "WITH q AS (SELECT email AS e FROM customers) SELECT upper(e) FROM q",
                "SELECT name FROM customers UNION ALL SELECT email FROM customers",
                "SELECT * FROM customers",
                "SELECT id, c.* FROM customers c",
                "SELECT coalesce(note, email) FROM customers",
                "SELECT email || '' FROM customers WHERE id = 1",
                "SELECT CASE WHEN id > 0 THEN email END FROM customers",
                "SELECT first_value(email) OVER (ORDER BY id) FROM customers",
                "TABLE customers"
            })
    void noExpressionOfAMaskedColumnReachesTheClient(String sql) throws Exception {
        PgClients.Result r = psql(sql);
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.out().isBlank(), "rows came back");
        assertNoCanary(sql, r.out() + r.err());
    }

    @Test
    void anInnocentColumnNamedLikeAMaskedOneIsNotMaskedByItsName() throws Exception {
        PgClients.Result r = psql("SELECT name AS email FROM customers ORDER BY id");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Ada Lovelace", r.out().strip().split("\n")[0]);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "SELECT email::int FROM customers",
                "SELECT 1 / 0 FROM customers WHERE email::int > 0",
                "SELECT upper(email)::numeric FROM customers",
                "SELECT row_to_json(c)::text::int FROM customers c"
            })
    void errorMessagesOfAStatementThatTouchesMaskedDataAreHidden(String sql) throws Exception {
        PgClients.Result r = psql(sql);
        assertNotEquals(0, r.exit());
        assertNoCanary(sql, r.out() + r.err());
        assertTrue(r.err().contains(MessageMasker.HIDDEN), r.err());
        assertTrue(r.err().contains("22"), r.err()); // the SQLSTATE (data exception class) is kept
    }

    @Test
    void syntaxErrorsComeBeforeAnyRowAndKeepTheirText() throws Exception {
        PgClients.Result r = psql("SELECT email FROM customers WHERE");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("syntax error"), r.err());
    }

    @Test
    void copyOfAMaskedTableIsRefusedBeforeItReachesTheBackend() throws Exception {
        for (String sql : List.of(
                "COPY customers TO STDOUT",
                "COPY customers (email) TO STDOUT WITH (FORMAT csv)",
                "COPY (SELECT upper(email) FROM customers) TO STDOUT",
                "COPY (SELECT id FROM customers) TO STDOUT (FORMAT binary)")) {
            PgClients.Result r = psql(sql);
            assertNotEquals(0, r.exit(), sql);
            assertTrue(r.err().contains(CopyGuard.SQLSTATE), r.err());
            assertTrue(r.err().contains(CopyGuard.REFUSED) || r.err().contains(CopyGuard.BINARY_REFUSED), r.err());
            assertNoCanary(sql, r.out() + r.err());
        }
    }

    @Test
    void copyOfUnmaskedColumnsRunsWithTheDetectors() throws Exception {
        PgClients.Result r = psql("COPY (SELECT id, card_number FROM customers ORDER BY id) TO STDOUT");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length, r.out());
        assertEquals("1\t************1111", lines[0]);
        assertFalse(r.out().contains("4111111111111111"));
    }

    @Test
    void jdbcPastPrepareThresholdAndBinaryTransferLeakNothing() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "mask-binary")) {
            c.unwrap(org.postgresql.PGConnection.class).setPrepareThreshold(1);
            for (int round = 0; round < 8; round++) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, email, reverse(email), row_to_json(x), name FROM customers x WHERE id = ?")) {
                    ps.setInt(1, 1 + round % 3);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        StringBuilder all = new StringBuilder();
                        for (int i = 1; i <= 5; i++) {
                            all.append(rs.getString(i)).append('|');
                            byte[] raw = rs.getBytes(i);
                            if (raw != null) {
                                all.append(new String(raw, StandardCharsets.UTF_8))
                                        .append('|');
                            }
                        }
                        assertNoCanary("jdbc round " + round, all.toString());
                        assertEquals("[REDACTED]", rs.getString(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT email::int FROM customers WHERE id = ?")) {
                ps.setInt(1, 1);
                SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                assertEquals("22P02", e.getSQLState());
                assertNoCanary(
                        "jdbc error",
                        String.valueOf(e.getMessage())
                                + (e instanceof org.postgresql.util.PSQLException p ? p.getServerErrorMessage() : ""));
            }
        }
    }

    /** An int computed from a masked column cannot be masked in binary: the result is refused, never relayed. */
    @Test
    void aMaskedNonTextColumnInBinaryIsRefused() throws Exception {
        try (Connection c = PgClients.jdbc(port, token, "mask-binary-int")) {
            c.unwrap(org.postgresql.PGConnection.class).setPrepareThreshold(-1); // binary from the first execution
            try (PreparedStatement ps = c.prepareStatement("SELECT length(email) FROM customers WHERE id = ?")) {
                ps.setInt(1, 1);
                SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                assertEquals("0A000", e.getSQLState());
                assertTrue(e.getMessage().contains("request text format"), e.getMessage());
            }
        }
    }

    /** A cursor fetched by SQL FETCH and by a protocol Execute: masked by the lineage of the DECLARE's query. */
    @Test
    void cursorsAreMaskedByTheirQuery() throws Exception {
        PgClients.Result r = PgClients.psql(
                port,
                token,
                "-c",
                "BEGIN",
                "-c",
                "DECLARE c CURSOR FOR SELECT reverse(email) AS r FROM customers",
                "-c",
                "FETCH 2 FROM c",
                "-c",
                "FETCH ALL FROM c",
                "-c",
                "COMMIT");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("[REDACTED]"), r.out());
        assertNoCanary("cursor", r.out() + r.err());
    }

    /** The target is what it was: the tests only read. */
    @Test
    void theTargetIsUnchanged() throws Exception {
        var pg = ProxyTestResource.stack().postgres();
        try (Connection c = pg.connect(ProxyTestResource.DATABASE, "postgres", pg.superPassword());
                var s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT string_agg(c::text, ';' ORDER BY id) FROM customers c")) {
            assertTrue(rs.next());
            assertEquals(
                    "(1,\"Ada Lovelace\",ada@example.com,4111111111111111,\"card 4111 1111 1111 1111 on file\");"
                            + "(2,\"Alan Turing\",alan@example.org,5555555555554444,\"no notes\");"
                            + "(3,\"Grace Hopper\",grace@example.net,378282246310005,\"call grace@example.net\")",
                    rs.getString(1));
        }
    }
}
