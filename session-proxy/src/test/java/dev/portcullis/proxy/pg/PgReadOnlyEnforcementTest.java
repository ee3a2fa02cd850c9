package dev.portcullis.proxy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.proxy.Agents;
import dev.portcullis.proxy.FakePolicyServer;
import dev.portcullis.proxy.PgListener;
import dev.portcullis.proxy.ProxyTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A read token cannot change the target: the proxy decides on the catalog's volatility (count(*) passes, setval does
 * not), and with the policy decision forced to allow the database itself refuses every write, since a read session
 * logs in as the read role (audited at login) with {@code default_transaction_read_only}. The decision cache never
 * answers with a decision of a replaced policy revision.
 */
@QuarkusTest
@QuarkusTestResource(ProxyTestResource.class)
class PgReadOnlyEnforcementTest {

    /** What a write could change: rows, the sequence, large objects, the tables and functions of public. */
    static final String CHECKSUM = """
            SELECT md5(concat_ws('|',
              (SELECT string_agg(c::text, ';' ORDER BY id) FROM customers c),
              (SELECT string_agg(s::text, ';' ORDER BY id) FROM scratch s),
              (SELECT last_value::text || is_called::text FROM customers_id_seq),
              (SELECT count(*)::text FROM pg_catalog.pg_largeobject_metadata),
              (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_catalog.pg_class
                 WHERE relnamespace = 'public'::regnamespace),
              (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_catalog.pg_proc
                 WHERE pronamespace = 'public'::regnamespace),
              (SELECT string_agg(rolname || rolsuper::text, ',' ORDER BY rolname) FROM pg_catalog.pg_roles)))""";

    @Inject
    PgListener listener;

    int port;
    FakePolicyServer policy;

    @BeforeEach
    void setUp() {
        port = listener.actualPort();
        policy = ProxyTestResource.policy();
    }

    static String checksum() throws SQLException {
        var pg = ProxyTestResource.stack().postgres();
        try (Connection c = pg.connect(ProxyTestResource.DATABASE, "postgres", pg.superPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(CHECKSUM)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private PgClients.Result psql(String token, String... sql) throws Exception {
        String[] args = new String[2 + 2 * sql.length];
        args[0] = "-v";
        args[1] = "VERBOSITY=verbose";
        for (int i = 0; i < sql.length; i++) {
            args[2 + 2 * i] = "-c";
            args[3 + 2 * i] = sql[i];
        }
        return PgClients.psql(port, token, args);
    }

    @Test
    void underTheReadOnlyRuleCountIsAllowedAndSetvalDenied() throws Exception {
        String before = checksum();
        policy.readOnlyRule.set(true);
        try {
            PgClients.Result r = psql(Agents.demoAgentToken(), "SELECT count(*) FROM customers");
            assertEquals(0, r.exit(), r.err());
            assertEquals("3", r.out().strip());
            for (String write : List.of(
                    "SELECT setval('customers_id_seq', 100)",
                    "SELECT nextval('customers_id_seq')",
                    "SELECT lo_from_bytea(0, 'x')",
                    "SELECT set_config('default_transaction_read_only', 'off', false)")) {
                r = psql(Agents.demoAgentToken(), write);
                assertNotEquals(0, r.exit(), write);
                assertTrue(r.err().contains("42501") && r.err().contains("read-only"), write + ": " + r.err());
            }
        } finally {
            policy.readOnlyRule.set(false);
        }
        assertEquals(before, checksum(), "the target is unchanged");
    }

    @Test
    void withThePolicyForcedToAllowTheDatabaseRefusesEveryWriteOfAReadSession() throws Exception {
        String before = checksum();
        policy.allowAll.set(true);
        try {
            List<String[]> writes = List.of(
                    new String[] {"INSERT INTO scratch VALUES (99)"},
                    new String[] {"UPDATE customers SET email = 'x@y.z'"},
                    new String[] {"DELETE FROM scratch"},
                    new String[] {"WITH d AS (DELETE FROM scratch RETURNING *) SELECT count(*) FROM d"},
                    new String[] {"SELECT * INTO stolen FROM customers"},
                    new String[] {"CREATE TABLE evil (id int)"},
                    new String[] {"SELECT nextval('customers_id_seq')"},
                    new String[] {"SELECT setval('customers_id_seq', 100)"},
                    new String[] {"SELECT lo_from_bytea(0, 'x')"},
                    new String[] {"TRUNCATE scratch"},
                    new String[] {"BEGIN READ WRITE", "INSERT INTO scratch VALUES (98)", "COMMIT"},
                    new String[] {"SET default_transaction_read_only = off", "DELETE FROM scratch"},
                    new String[] {
                        "SELECT set_config('default_transaction_read_only', 'off', false)",
                        "UPDATE scratch SET id = id + 1"
                    },
                    new String[] {"CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'"});
            for (String[] w : writes) {
                PgClients.Result r = psql(Agents.demoAgentToken(), w);
                String what = String.join("; ", w);
                assertNotEquals(0, r.exit(), what + " ran: " + r.out());
                // read-only transaction (25006) or no privilege (42501): the database refused, not the proxy
                assertTrue(r.err().contains("25006") || r.err().contains("42501"), what + ": " + r.err());
            }
        } finally {
            policy.allowAll.set(false);
        }
        assertEquals(before, checksum(), "the target is unchanged");
    }

    @Test
    void aDecisionOfAReplacedPolicyRevisionIsNotAnsweredFromTheCache() throws Exception {
        String probe = "SELECT 40 + 2 AS cache_probe_" + System.nanoTime();
        try (Connection c = PgClients.jdbc(port, Agents.demoAgentToken(), "decision-cache");
                Statement s = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = s.executeQuery(probe)) {
                    rs.next();
                    assertEquals(42, rs.getInt(1));
                }
            }
            assertEquals(1, asked(probe), "the repeats were answered from the cache");

            // the policy changes: a new revision that denies the probe
            policy.denyTexts.add(probe);
            policy.revision.set("fake-" + System.nanoTime());
            try (ResultSet rs = s.executeQuery("SELECT 'another statement brings the new revision'")) {
                rs.next();
            }
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(probe));
            assertEquals("42501", e.getSQLState());
            assertEquals(2, asked(probe), "asked again under the new revision");
        } finally {
            policy.denyTexts.remove(probe);
        }
    }

    /** A read credential that can write (here: the owner) is refused at login, naming why; nothing runs. */
    @Test
    void aReadCredentialThatCanWriteIsRefusedByTheAudit() throws Exception {
        String token =
                dev.portcullis.proxy.KeycloakScopes.demoAgentToken("conn:" + ProxyTestResource.OWNER_AS_READ + ":read");
        int before = policy.inputs.size();
        for (int attempt = 0; attempt < 2; attempt++) { // a refusal is not cached: every read session audits
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> PgClients.jdbc(port, token, "audit-refused", ProxyTestResource.OWNER_AS_READ));
            assertEquals(ReadRoleAudit.SQLSTATE_REFUSED, e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains(ProxyTestResource.OWNER_AS_READ), e.getMessage());
            assertTrue(e.getMessage().contains("can write"), e.getMessage());
            assertTrue(e.getMessage().contains(ProxyTestResource.ROLE), e.getMessage()); // names the role
        }
        assertEquals(before, policy.inputs.size(), "no statement was decided");
    }

    private long asked(String text) {
        return policy.inputs.stream()
                .filter(i -> i.getJsonObject("request").getString("text").equals(text))
                .count();
    }
}
