package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14's attack suite against the packaged services and the default policy pack, as an
 * attacker holding a <em>read</em> token on {@code pg-prod} would try it with the real psql and the
 * real JDBC driver: statement smuggling, read-only bypass, masking bypass and availability. Each
 * attack asserts the secure outcome AND that the target is unchanged ({@link Fingerprint}: tables,
 * sequences, large objects, roles, settings; the sentinel backends still alive). Masking is checked
 * with canaries: unique values seeded in masked columns that must appear — plain, reversed,
 * upper-case, hex or base64 — in no byte sent to the client and no byte of any recording.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PgAttackIT {

    static final String AGENT = "attack-bot";
    static final String PROD = PortcullisSuite.PROD;

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;
    String agentSecret;
    String canaryEmail;
    String canaryCard;
    Fingerprint baseline;
    /** Superuser and read-role connections straight to the database: a terminated backend shows here. */
    Connection sentinel;
    /** Everything the proxy sent to the attacker's clients, scanned for canaries at the end. */
    final StringBuilder clientBytes = new StringBuilder();

    @BeforeAll
    void setUp(PortcullisSuite suite) throws SQLException {
        this.suite = suite;
        keycloak = new Keycloak(suite.keycloakUrl());
        broker = new Broker(suite.brokerUrl(), keycloak);
        recorder = new Recorder(suite.recorderUrl(), keycloak);
        agentSecret = broker.createAgent(AGENT).clientSecret();
        broker.grant(AGENT, PROD, "read");
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        canaryEmail = "zq" + id + "@canary.example";
        canaryCard = luhnCard("4929" + digits(id));
        try (Connection c = suite.prodDatabase();
                PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO customers (name, email, card_number) VALUES ('Canary Row', ?, ?)")) {
            ps.setString(1, canaryEmail);
            ps.setString(2, canaryCard);
            ps.executeUpdate();
        }
        sentinel = suite.prodDatabase();
        baseline = Fingerprint.of(sentinel);
    }

    /** The suite's pg-prod is shared with the other journeys: the canary row goes, the agent's sessions stay recorded. */
    @AfterAll
    void removeCanaryAndCloseSentinel() throws SQLException {
        if (sentinel != null) {
            try (PreparedStatement ps = sentinel.prepareStatement("DELETE FROM customers WHERE email = ?")) {
                ps.setString(1, canaryEmail);
                assertEquals(1, ps.executeUpdate(), "the canary row, and only it");
            } finally {
                sentinel.close();
            }
        }
    }

    // ------------------------------------------------------------------ identity (issue 15)

    /**
     * Issue 15's "any realm client can act as an agent", as it was run: the broker's own client asks Keycloak for an
     * admin scope on prod with client_credentials (it holds every conn: scope for its token exchange, so Keycloak
     * hands it out) and presents it to the proxy. Its service account is no managed agent: refused at login.
     */
    @Test
    @Order(0)
    void theBrokersOwnClientTokenIsNoAgent() throws SQLException {
        String scope = "conn:" + PROD + ":admin";
        String token = keycloak.clientCredentials("identity-broker", "identity-broker-dev-secret", scope)
                .expect(200)
                .json()
                .path("access_token")
                .asText();
        JsonNode claims = Keycloak.claims(token);
        assertTrue(claims.path("scope").asText().contains(scope), "Keycloak issued the scope");
        assertTrue(claims.path("aud").toString().contains("session-proxy"), "with the proxy's audience");

        Client.Result r = Psql.run(suite.proxyPgPort(), PROD, "identity-broker", token, "DELETE FROM orders");
        assertNotEquals(0, r.exit(), r::out);
        assertTrue(r.err().contains("password authentication failed"), r::err);
        SQLException e = org.junit.jupiter.api.Assertions.assertThrows(
                SQLException.class,
                () -> ProxyJdbc.connect(suite.proxyPgPort(), PROD, "identity-broker", token)
                        .close());
        assertEquals("28P01", e.getSQLState());
        assertUnchanged("the broker's own token");
    }

    // ------------------------------------------------------------------ statement smuggling

    /** Texts that hide a write behind something a naive scanner takes for a comment or a string. */
    static Stream<String> smuggled() {
        return Stream.of(
                "SELECT 1 --\r; DELETE FROM orders",
                "SELECT 1 --\r\n; DELETE FROM orders",
                "SELECT 1 -- \r DELETE FROM orders",
                "SELECT 1 /* */ ; DELETE FROM orders",
                "SELECT x\u00b7$a$ FROM (SELECT 1 AS \"x\u00b7$a$\") s; DELETE FROM orders; SELECT $a$",
                "SELECT 1 AS \u00e9$a$; DELETE FROM orders; SELECT $a$",
                "SELECT 1 AS a$b$; DELETE FROM orders; SELECT $b$",
                "SELECT $$;$$; DELETE FROM orders",
                "SELECT $t$ $t$; DELETE FROM orders; --$t$",
                "SELECT E'\\''; DELETE FROM orders; --'",
                "SELECT e'\\\\'; DELETE FROM orders",
                "SELECT E'a'\n'\\'; DELETE FROM orders; --'",
                "SELECT '\\'; DELETE FROM orders; --'",
                "SELECT U&'\\0041'; DELETE FROM orders",
                "SELECT U&\"a\"\"b\" FROM (SELECT 1 AS \"a\"\"b\") s; DELETE FROM orders",
                "SELECT \"a;\"\"\" FROM (SELECT 1 AS \"a;\"\"\") s; DELETE FROM orders",
                "SELECT B'101'; DELETE FROM orders",
                "SELECT X'1F'; DELETE FROM orders",
                "SELECT N'x'; DELETE FROM orders",
                "SELECT 1;\rDELETE FROM orders",
                "/* only */ DELETE FROM orders",
                "-- c\rDELETE FROM orders",
                "SELECT 1+-- c\r1; DELETE FROM orders",
                "SELECT 1 *//* c */ 1; DELETE FROM orders",
                "SELECT 'a' 'b'; DELETE FROM orders",
                "SET client_encoding = 'SJIS'; DELETE FROM orders",
                "SET standard_conforming_strings = off; SELECT '\\'; DELETE FROM orders; --'",
                "SELECT set_config('standard_conforming_strings', 'off', false)",
                "RESET client_encoding");
    }

    @ParameterizedTest
    @MethodSource("smuggled")
    void smuggledWritesDoNotRun(String sql) throws SQLException {
        Client.Result r = psql(sql);
        assertNotEquals(0, r.exit(), () -> "psql succeeded with " + printable(sql) + ": " + r.out());
        assertUnchanged(sql);
    }

    /** Texts whose write is, to PostgreSQL, inside a comment or a string: only the harmless part runs. */
    static Stream<String> writesThatAreOnlyText() {
        return Stream.of(
                "SELECT 1 /* a /* nested */ ; DELETE FROM orders; */",
                "SELECT 1 -- ; DELETE FROM orders",
                "SELECT '; DELETE FROM orders'",
                "SELECT $x$; DELETE FROM orders$x$",
                "SELECT E'\\''; DELETE FROM orders' AS one_string",
                "SELECT \"; DELETE FROM orders\" FROM (SELECT 1 AS \"; DELETE FROM orders\") s");
    }

    @ParameterizedTest
    @MethodSource("writesThatAreOnlyText")
    void writesInsideCommentsOrStringsStayText(String sql) throws SQLException {
        Client.Result r = psql(sql);
        assertUnchanged(sql);
        // no DELETE ran: psql prints the command tag of one that did on a line of its own
        assertFalse(
                java.util.regex.Pattern.compile("(?m)^DELETE \\d+$")
                        .matcher(r.out())
                        .find(),
                r::out);
    }

    @Test
    void commentOnlyAndEmptyTextsAreAnsweredWithoutReachingTheTarget() throws SQLException {
        for (String sql : List.of("-- nothing\r", "/* nothing */", " ;; ", "/* a /* b */ c */ ;")) {
            Client.Result r = psql(sql);
            assertEquals(0, r.exit(), () -> printable(sql) + ": " + r.err());
            assertUnchanged(sql);
        }
    }

    // ------------------------------------------------------------------ read-only bypass

    static Stream<String> writesUnderRead() {
        return Stream.of(
                "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d",
                "WITH u AS (UPDATE orders SET stale = true RETURNING 1) SELECT 1",
                "WITH x AS (SELECT 1), d AS (DELETE FROM orders WHERE id > 0 RETURNING id) SELECT * FROM x",
                "SELECT * FROM (WITH d AS (INSERT INTO orders (customer_id, amount) VALUES (1, 1) RETURNING 1)"
                        + " SELECT * FROM d) s",
                "SELECT * INTO copy_of_orders FROM orders",
                "SELECT id INTO TEMP tmp_orders FROM orders",
                "CREATE TABLE t2 AS SELECT * FROM orders",
                "CREATE TEMP TABLE t3 (id int)",
                "SELECT setval('orders_id_seq', 1000)",
                "SELECT nextval('orders_id_seq')",
                "SELECT pg_catalog.setval('orders_id_seq', 1000)",
                "SELECT \"setval\"('orders_id_seq', 1000)",
                "SELECT PG_CATALOG.NEXTVAL('orders_id_seq')",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity",
                "SELECT lo_from_bytea(0, 'x'::bytea)",
                "SELECT lo_create(0)",
                "SELECT set_config('default_transaction_read_only', 'off', false)",
                "SELECT set_config('transaction_read_only', 'off', true)",
                "SELECT pg_advisory_lock(42)",
                "SELECT pg_notify('c', 'x')",
                "SELECT 1 FROM orders WHERE pg_notify('c', 'x') IS NULL",
                "SELECT (SELECT setval('orders_id_seq', 5))",
                "SELECT id FROM orders ORDER BY setval('orders_id_seq', id)",
                "SELECT * FROM orders FOR UPDATE",
                "SELECT * FROM orders FOR NO KEY UPDATE",
                "SELECT * FROM orders FOR SHARE",
                "LOCK TABLE orders",
                "NOTIFY c",
                "SET default_transaction_read_only = off",
                "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
                "BEGIN READ WRITE",
                "START TRANSACTION READ WRITE",
                "SET transaction_read_only = off",
                "RESET default_transaction_read_only",
                "SET ROLE postgres",
                "SET SESSION AUTHORIZATION postgres",
                "DO $$BEGIN DELETE FROM orders; END$$",
                "EXPLAIN ANALYZE DELETE FROM orders",
                "EXPLAIN (ANALYZE) UPDATE orders SET stale = true",
                "PREPARE p AS DELETE FROM orders",
                "COPY orders FROM PROGRAM 'true'",
                "COPY orders TO '/tmp/orders.csv'",
                "MERGE INTO orders o USING (SELECT 1 AS id) s ON o.id = s.id WHEN MATCHED THEN DELETE",
                "INSERT INTO orders (customer_id, amount) VALUES (1, 1)",
                "UPDATE orders SET stale = true WHERE id = 1",
                "DELETE FROM orders WHERE id = 1",
                "TRUNCATE orders",
                "VACUUM orders",
                "ANALYZE orders",
                "CREATE INDEX ON orders (amount)",
                "CALL nothing()",
                "SELECT dblink_exec('dbname=app', 'DELETE FROM orders')",
                "FROBNICATE orders");
    }

    @ParameterizedTest
    @MethodSource("writesUnderRead")
    void aReadTokenCannotWrite(String sql) throws SQLException {
        Client.Result r = psql(sql);
        assertNotEquals(0, r.exit(), () -> "a read token ran " + sql + ": " + r.out());
        assertUnchanged(sql);
    }

    @Test
    void readsStillWorkUnderRead() {
        for (String sql : List.of(
                "SELECT count(*) FROM orders",
                "WITH o AS (SELECT amount FROM orders) SELECT sum(amount) > 0 FROM o",
                "SELECT now() IS NOT NULL, lower('A'), length('abc')",
                "EXPLAIN SELECT * FROM orders",
                "BEGIN; SELECT 1; COMMIT",
                "SHOW search_path")) {
            Client.Result r = psql(sql);
            assertEquals(0, r.exit(), () -> sql + ": " + r.err());
        }
    }

    @Test
    void extendedProtocolWritesAreRefusedToo() throws SQLException {
        try (Connection c = jdbc()) {
            for (String sql : List.of(
                    "WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d",
                    "SELECT setval('orders_id_seq', ?)",
                    "SELECT * FROM orders WHERE id = ? FOR UPDATE")) {
                for (int round = 0; round < 7; round++) { // past prepareThreshold: named server statements
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        if (sql.contains("?")) {
                            ps.setInt(1, 1);
                        }
                        SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> {
                            try (ResultSet rs = ps.executeQuery()) {
                                collect(rs);
                            }
                        });
                        clientBytes.append(e.getMessage());
                    }
                    if (!c.getAutoCommit()) {
                        c.rollback();
                    }
                }
            }
        }
        assertUnchanged("JDBC writes");
    }

    // ------------------------------------------------------------------ masking bypass

    static Stream<String> maskingBypasses() {
        return Stream.of(
                "SELECT email FROM customers",
                "SELECT email AS x FROM customers",
                "SELECT replace(email, '@', ' at ') AS x FROM customers",
                "SELECT reverse(email) FROM customers",
                "SELECT upper(email) FROM customers",
                "SELECT encode(convert_to(email, 'UTF8'), 'base64') FROM customers",
                "SELECT encode(convert_to(email, 'UTF8'), 'hex') FROM customers",
                "SELECT row_to_json(c) FROM customers c",
                "SELECT c::text FROM customers c",
                "SELECT c FROM customers c",
                "SELECT json_agg(customers) FROM customers",
                "SELECT to_jsonb(c) ->> 'email' FROM customers c",
                "SELECT string_agg(email, ',') FROM customers",
                "SELECT array_agg(card_number)::text FROM customers",
                "SELECT concat(name, email) FROM customers",
                "SELECT name || email FROM customers",
                "SELECT format('%s', email) FROM customers",
                "SELECT CASE WHEN true THEN email END FROM customers",
                "SELECT (SELECT email FROM customers c2 WHERE c2.id = c.id) FROM customers c",
                "SELECT x FROM (SELECT email AS x FROM customers) s",
                "WITH s AS (SELECT email AS x FROM customers) SELECT x FROM s",
                "SELECT name FROM customers UNION ALL SELECT email FROM customers",
                "SELECT substr(email, 1, 200) FROM customers",
                "SELECT lower(card_number) FROM customers",
                "SELECT card_number::bigint + 0 FROM customers",
                "SELECT ROW(c.*)::text FROM customers c",
                "SELECT * FROM customers",
                "SELECT t.* FROM customers t",
                "SELECT email::int FROM customers",
                "SELECT card_number::date FROM customers",
                "SELECT 1 / (length(email) - length(email)) FROM customers",
                "SELECT query_to_xml('SELECT email FROM customers', true, false, '')",
                "COPY customers TO STDOUT",
                "COPY (SELECT email FROM customers) TO STDOUT",
                "SELECT translate(email, 'abcdefghijklmnopqrstuvwxyz', 'bcdefghijklmnopqrstuvwxyza') FROM customers",
                "SELECT regexp_replace(email, '(.)', '\\1 ', 'g') FROM customers");
    }

    @ParameterizedTest
    @MethodSource("maskingBypasses")
    void maskedValuesStayMasked(String sql) throws SQLException {
        Client.Result r = psql(sql);
        assertNoCanary(r.out() + r.err(), "psql output of " + sql);
        assertUnchanged(sql);
    }

    @Test
    void maskedValuesStayMaskedOverJdbcBinaryAndText() throws SQLException {
        try (Connection c = jdbc();
                Statement st = c.createStatement()) {
            for (String sql : List.of(
                    "SELECT email, card_number FROM customers",
                    "SELECT reverse(email), row_to_json(c)::text FROM customers c",
                    "SELECT email::bytea FROM customers")) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    assertNoCanary(String.join("\n", collect(rs)), "JDBC " + sql);
                } catch (SQLException e) {
                    assertNoCanary(e.getMessage(), "JDBC error of " + sql);
                }
            }
        }
    }

    // ------------------------------------------------------------------ availability

    @Test
    void pathologicalInputIsRefusedPreciselyAndOthersAreStillServed() throws SQLException {
        String deep = "SELECT " + "(".repeat(20_000) + "1" + ")".repeat(20_000);
        Client.Result nested = psql(deep);
        assertNotEquals(0, nested.exit(), "20,000 nested parentheses");
        String big = "SELECT '" + "a@".repeat(30_000) + "' AS note";
        Client.Result value = psql(big);
        assertEquals(0, value.exit(), value.err());
        Client.Result after = psql("SELECT count(*) FROM orders");
        assertEquals(0, after.exit(), "the proxy serves the next session: " + after.err());
        assertUnchanged("pathological input");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void recordingsHoldNoCanary() {
        List<JsonNode> sessions = Poll.until("the attack sessions are recorded", Duration.ofSeconds(120), () -> {
            List<JsonNode> s = recorder.sessions(AGENT);
            return !s.isEmpty()
                            && s.stream()
                                    .allMatch(x ->
                                            "complete".equals(x.path("status").asText()))
                    ? s
                    : null;
        });
        for (JsonNode s : sessions) {
            Recording rec = recorder.downloadVerified(s.path("session_id").asText());
            assertNoCanary(new String(rec.bytes, StandardCharsets.UTF_8), "recording " + s.path("session_id"));
        }
        assertNoCanary(clientBytes.toString(), "bytes sent to the clients");
    }

    // ------------------------------------------------------------------ helpers

    private Client.Result psql(String sql) {
        String token = broker.sessionToken(keycloak.agent(AGENT, agentSecret), PROD, "read");
        Client.Result r = Psql.run(suite.proxyPgPort(), PROD, AGENT, token, sql);
        clientBytes.append(r.out()).append(r.err());
        return r;
    }

    private Connection jdbc() throws SQLException {
        String token = broker.sessionToken(keycloak.agent(AGENT, agentSecret), PROD, "read");
        return ProxyJdbc.connect(suite.proxyPgPort(), PROD, AGENT, token);
    }

    private static List<String> collect(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= n; i++) {
                out.add(String.valueOf(rs.getString(i)));
            }
        }
        return out;
    }

    private void assertUnchanged(String what) throws SQLException {
        assertTrue(sentinel.isValid(5), () -> "the sentinel backend was terminated by " + what);
        assertEquals(baseline, Fingerprint.of(sentinel), () -> "the target changed after " + printable(what));
    }

    /** The canaries in every form a query could turn them into. */
    private Set<String> canaryForms() {
        Set<String> forms = new LinkedHashSet<>();
        for (String v : List.of(canaryEmail, canaryCard, canaryEmail.substring(0, canaryEmail.indexOf('@')))) {
            forms.add(v);
            forms.add(new StringBuilder(v).reverse().toString());
            forms.add(v.toUpperCase(Locale.ROOT));
            forms.add(HexFormat.of().formatHex(v.getBytes(StandardCharsets.UTF_8)));
            forms.add(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
        }
        return forms;
    }

    private void assertNoCanary(String text, String where) {
        String squeezed = text.replaceAll("[\\s,\"]", "");
        for (String form : canaryForms()) {
            assertFalse(text.contains(form) || squeezed.contains(form), () -> where + " holds a canary form");
        }
    }

    private static String printable(String sql) {
        return sql.replace("\r", "\\r").replace("\n", "\\n");
    }

    private static String digits(String hex) {
        StringBuilder sb = new StringBuilder();
        for (char c : hex.toCharArray()) {
            sb.append(Character.digit(c, 16) % 10);
        }
        return sb.substring(0, 11);
    }

    /** {@code prefix} (15 digits) plus its Luhn check digit. */
    private static String luhnCard(String prefix) {
        int sum = 0;
        for (int i = 0; i < prefix.length(); i++) {
            int d = prefix.charAt(prefix.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return prefix + ((10 - sum % 10) % 10);
    }

    /** What "the target is unchanged" means: data, schema objects, sequences, large objects, roles, settings. */
    record Fingerprint(
            String data, String relations, String sequences, long largeObjects, String roles, String settings) {
        static Fingerprint of(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                return new Fingerprint(
                        one(
                                st,
                                "SELECT md5((SELECT string_agg(t::text, ';' ORDER BY t.id) FROM customers t)"
                                        + " || (SELECT string_agg(o::text, ';' ORDER BY o.id) FROM orders o))"),
                        one(
                                st,
                                "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY 1)"
                                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                        + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
                                        + " AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'"),
                        one(
                                st,
                                "SELECT coalesce(string_agg(sequencename || '=' || coalesce(last_value::text, '-'),"
                                        + " ',' ORDER BY sequencename), '') FROM pg_sequences"),
                        Long.parseLong(one(st, "SELECT count(*) FROM pg_largeobject_metadata")),
                        one(
                                st,
                                "SELECT md5(string_agg(rolname || rolsuper || rolcreaterole || rolcreatedb"
                                        + " || rolcanlogin, ',' ORDER BY rolname)) FROM pg_roles"),
                        one(
                                st,
                                "SELECT md5(coalesce(string_agg(setdatabase || ':' || setrole || ':'"
                                        + " || array_to_string(setconfig, ','), ';' ORDER BY setdatabase, setrole),"
                                        + " '')) FROM pg_db_role_setting"));
            }
        }

        private static String one(Statement st, String sql) throws SQLException {
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
