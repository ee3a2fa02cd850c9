package dev.portcullis.it.journey;

import static dev.portcullis.it.journey.Checks.assertNoJwt;
import static dev.portcullis.it.journey.Checks.assertNoneOf;
import static dev.portcullis.it.journey.Checks.requireStep;
import static dev.portcullis.it.journey.Checks.sleepPastThisSecond;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journey of issue 8, step by step against the packaged services: an admin creates agent
 * {@code ci-runner} and grants it read on {@code pg-prod}; the agent reads masked data with psql
 * and is refused DROP; it gets JIT write access from two approvers, runs a bounded DELETE, and has
 * an unbounded one held for review until an approver allows it; the auditor verifies every
 * recording; finally the admin disables the agent while a session is open.
 *
 * <p>The steps build on each other (each one names what it needs from the one before), so they run
 * in order on one test instance.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JourneyIT {

    static final String AGENT = "ci-runner";
    static final String PROD = PortcullisSuite.PROD;
    static final Pattern REVIEW_NOTICE = Pattern.compile("waiting for approval, review ([0-9a-f-]{36})");

    /**
     * A statement the agent sent through the proxy: the recording must show policy's decision
     * ({@code first}), the decision that let it run or not ({@code last}), and for a held statement
     * the review that decided it.
     */
    record Sent(String sql, String first, String last, String reviewId) {
        Sent(String sql, String action) {
            this(sql, action, action, null);
        }
    }

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;

    String agentSecret;
    final List<Sent> sent = new ArrayList<>();
    /** psql sessions that got past login: the recorder must list exactly these. */
    int sessions;
    /** Tokens, secrets and passwords seen in this journey: none may appear in any recording. */
    final Set<String> secrets = new LinkedHashSet<>();

    @BeforeAll
    void suite(PortcullisSuite suite) {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.recorder = new Recorder(suite.recorderUrl(), keycloak);
        secrets.add(suite.prodBackendPassword());
        secrets.addAll(Keycloak.DEV_PASSWORDS.values());
    }

    // ------------------------------------------------------------------------------ 1

    @Test
    @Order(1)
    void adminCreatesTheAgentAndGrantsReadOnProd() {
        // only portcullis-admin manages agents
        Http.Response byApprover = broker.createAgent(Keycloak.APPROVER, AGENT, "platform", Keycloak.ADMIN);
        assertEquals(403, byApprover.status(), () -> "an approver created an agent: " + byApprover.text());

        Broker.CreatedAgent created = broker.createAgent(AGENT);
        assertEquals(AGENT, created.agent().path("name").asText());
        assertTrue(created.agent().path("enabled").asBoolean());
        assertNotNull(created.clientSecret(), "the client secret is returned once, at creation");
        assertEquals(keycloak.tokenEndpoint(), created.tokenEndpoint());
        agentSecret = created.clientSecret();
        secrets.add(agentSecret);

        // before the grant Keycloak itself refuses the connection scope, and the broker refuses to mint
        Http.Response direct = keycloak.clientCredentials(AGENT, agentSecret, "conn:" + PROD + ":read");
        assertEquals(400, direct.status(), () -> "Keycloak issued conn:pg-prod:read without a grant: " + direct.text());
        assertEquals("invalid_scope", direct.json().path("error").asText());
        String agentToken = agentToken();
        assertEquals(403, broker.mint(agentToken, PROD, "read").status(), "minted without a grant");

        JsonNode grant = broker.grant(AGENT, PROD, "read");
        assertEquals("active", grant.path("status").asText());
        assertEquals("conn:pg-prod:read", grant.path("scope").asText());
        assertEquals("standing", grant.path("kind").asText());
    }

    // ------------------------------------------------------------------------------ 2

    @Test
    @Order(2)
    void agentReadsMaskedRowsThroughPsqlAndIsRefusedDrop() throws SQLException {
        requireStep(agentSecret != null, 1);
        String agentToken = agentToken();
        JsonNode agentClaims = Keycloak.claims(agentToken);
        assertEquals(AGENT, agentClaims.path("azp").asText());

        JsonNode minted = broker.mint(agentToken, PROD, "read").expect(200).json();
        String token = minted.path("access_token").asText();
        secrets.add(token);
        JsonNode claims = Keycloak.claims(token);
        assertTrue(
                contains(claims.path("aud"), "session-proxy"), () -> "aud of the session token: " + claims.path("aud"));
        List<String> connScopes = List.of(claims.path("scope").asText().split(" ")).stream()
                .filter(s -> s.startsWith("conn:"))
                .toList();
        assertEquals(List.of("conn:pg-prod:read"), connScopes, "exactly the granted connection scope");
        assertEquals(
                "service-account-" + AGENT, claims.path("preferred_username").asText());
        long lifetime = claims.path("exp").asLong() - claims.path("iat").asLong();
        assertTrue(lifetime > 0 && lifetime <= 300, "a lifetime of minutes (at most 5), not " + lifetime + " s");
        assertTrue(
                minted.path("connection").path("psql").asText().contains("port=" + suite.proxyPgPort()),
                () -> "the psql hint names the proxy: " + minted.path("connection"));

        String select = "SELECT name, email, card_number FROM customers ORDER BY id";
        Client.Result read = psql(token, select);
        assertEquals(0, read.exit(), read::toString);
        sent.add(new Sent(select, "allow"));
        List<String> rows = read.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(PortcullisSuite.CUSTOMERS.size(), rows.size(), read::toString);
        for (int i = 0; i < rows.size(); i++) {
            List<String> expected = PortcullisSuite.CUSTOMERS.get(i);
            String[] cols = rows.get(i).split("\\|", -1);
            assertEquals(3, cols.length, rows.get(i));
            assertEquals(expected.get(0), cols[0], "names are not sensitive and come back as stored");
            assertFalse(cols[1].contains("@"), () -> "e-mail came back unmasked: " + rows);
            String card = expected.get(2);
            assertNotEquals(card, cols[2], "card number came back unmasked");
            assertTrue(
                    cols[2].endsWith(card.substring(card.length() - 4)), () -> "card masked to its last 4: " + cols[2]);
            assertFalse(
                    cols[2].matches(".*\\d{6,}.*"),
                    () -> "more than the last digits of a card are visible: " + cols[2]);
        }
        assertNoneOf(read.out() + read.err(), PortcullisSuite.sensitiveCustomerValues(), "psql output");

        String drop = "DROP TABLE customers";
        Client.Result refused = psql(token, drop);
        assertNotEquals(0, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("42501"), refused::toString);
        assertTrue(refused.err().contains("DROP and TRUNCATE are never allowed on prod"), refused::toString);
        sent.add(new Sent(drop, "deny"));
        assertEquals(
                PortcullisSuite.CUSTOMERS.size(), countRows("customers"), "the table is still there, with its rows");

        String write = "DELETE FROM customers WHERE id = 1";
        Client.Result readOnly = psql(token, write);
        assertNotEquals(0, readOnly.exit(), readOnly::toString);
        assertTrue(readOnly.err().contains("42501"), readOnly::toString);
        assertTrue(readOnly.err().contains("this token grants read access only"), readOnly::toString);
        sent.add(new Sent(write, "deny"));
        assertEquals(PortcullisSuite.CUSTOMERS.size(), countRows("customers"), "a read grant deleted nothing");
    }

    // ------------------------------------------------------------------------------ 3

    @Test
    @Order(3)
    void jitWriteAccessIsApprovedAndAnUnboundedDeleteWaitsForReview() throws SQLException {
        requireStep(sent.size() == 3, 2);
        String agentToken = agentToken();
        assertEquals(403, broker.mint(agentToken, PROD, "write").status(), "write minted without a write grant");

        JsonNode request = broker.requestAccess(agentToken, PROD, "write", "PT30M", "CI job prunes stale orders")
                .expect(201)
                .json();
        String requestId = request.path("id").asText();
        assertEquals("pending", request.path("status").asText());
        assertEquals(2, request.path("requiredApprovals").asInt(), "env=prod needs two approvers: " + request);

        JsonNode first = broker.decideAccess(Keycloak.APPROVER, requestId, true)
                .expect(200)
                .json();
        assertEquals("pending", first.path("status").asText(), "one approval is not enough on prod: " + first);
        assertEquals(403, broker.mint(agentToken, PROD, "write").status(), "minted write after one approval of two");
        JsonNode second = broker.decideAccess(Keycloak.SECOND_APPROVER, requestId, true)
                .expect(200)
                .json();
        assertEquals("approved", second.path("status").asText(), second::toString);
        assertFalse(
                second.path("grantId").isMissingNode() || second.path("grantId").isNull(), second::toString);

        String token = Poll.until("a write token after the approval", Duration.ofSeconds(30), () -> {
            Http.Response r = broker.mint(agentToken(), PROD, "write");
            return r.status() == 200 ? r.json().path("access_token").asText() : null;
        });
        secrets.add(token);
        assertTrue(Keycloak.claims(token).path("scope").asText().contains("conn:pg-prod:write"));

        int orders = countRows("orders");
        String bounded = "DELETE FROM orders WHERE id = 1";
        Client.Result deleted = psql(token, bounded);
        assertEquals(0, deleted.exit(), deleted::toString);
        assertTrue(deleted.out().contains("DELETE 1"), deleted::toString);
        sent.add(new Sent(bounded, "allow"));
        assertEquals(orders - 1, countRows("orders"), "the bounded DELETE ran");

        String unbounded = "DELETE FROM orders";
        Client held = Psql.start(suite.proxyPgPort(), PROD, AGENT, token, unbounded);
        sessions++;
        Client.Result ran;
        String reviewId;
        try {
            String notice =
                    held.awaitStderr(e -> REVIEW_NOTICE.matcher(e).find(), Duration.ofSeconds(60), "the review notice");
            Matcher m = REVIEW_NOTICE.matcher(notice);
            assertTrue(m.find());
            reviewId = m.group(1);
            JsonNode review = Poll.until("review " + reviewId + " at the broker", Duration.ofSeconds(30), () -> {
                Http.Response r = broker.review(Keycloak.APPROVER, reviewId);
                return r.status() == 200 ? r.json() : null;
            });
            assertEquals("pending", review.path("status").asText(), review::toString);
            assertEquals(AGENT, review.path("agent").asText());
            assertEquals(PROD, review.path("connection").asText());
            assertTrue(held.isAlive(), "psql waits while the statement is held");
            assertEquals(orders - 1, countRows("orders"), "nothing deleted while the statement is held");

            // the agent may not approve its own statement
            assertEquals(
                    403,
                    broker.decideReview(agentToken(), reviewId, true).status(),
                    "an agent approved its own review");
            // prod: the first approval leaves it pending (issue 15), the second, by another approver, decides
            JsonNode firstApproval = broker.decideReview(keycloak.user(Keycloak.APPROVER), reviewId, true)
                    .expect(200)
                    .json();
            assertEquals("pending", firstApproval.path("status").asText(), firstApproval::toString);
            assertEquals(2, firstApproval.path("required_approvals").asInt(), firstApproval::toString);
            assertTrue(held.isAlive(), "psql still waits after one approval");
            assertEquals(orders - 1, countRows("orders"), "nothing deleted after one approval");
            JsonNode approved = broker.decideReview(keycloak.user(Keycloak.SECOND_APPROVER), reviewId, true)
                    .expect(200)
                    .json();
            assertEquals("approved", approved.path("status").asText());
            assertEquals(Keycloak.SECOND_APPROVER, approved.path("decided_by").asText());

            ran = held.await(Duration.ofSeconds(60));
        } finally {
            if (held.isAlive()) {
                held.kill(); // a failed step leaves no psql behind
            }
        }
        assertEquals(0, ran.exit(), ran::toString);
        assertTrue(ran.out().contains("DELETE " + (orders - 1)), ran::toString);
        sent.add(new Sent(unbounded, "review", "allow", reviewId));
        assertEquals(0, countRows("orders"), "the approved DELETE ran");
    }

    // ------------------------------------------------------------------------------ 4

    @Test
    @Order(4)
    void auditorVerifiesEveryRecording() {
        requireStep(sent.size() == 5, 3);
        assertEquals(
                403,
                Http.get(suite.recorderUrl() + "/v1/sessions", keycloak.user(Keycloak.ADMIN))
                        .status(),
                "an admin is not an auditor");
        assertEquals(401, Http.get(suite.recorderUrl() + "/v1/sessions", null).status());

        List<JsonNode> listed =
                Poll.until("all " + sessions + " sessions of " + AGENT + " complete", Duration.ofSeconds(90), () -> {
                    List<JsonNode> s = recorder.sessions(AGENT);
                    return s.size() == sessions
                                    && s.stream()
                                            .allMatch(x -> "complete"
                                                    .equals(x.path("status").asText()))
                            ? s
                            : null;
                });

        List<Recording> recordings = new ArrayList<>();
        long denials = 0;
        long reviews = 0;
        for (JsonNode s : listed) {
            assertEquals(AGENT, s.path("agent").asText());
            assertEquals(PROD, s.path("connection").asText());
            assertEquals("prod", s.path("tags").path("env").asText(), s::toString);
            denials += s.path("denials").asLong();
            reviews += s.path("reviews").asLong();
            recordings.add(recorder.downloadVerified(s.path("session_id").asText()));
        }
        assertEquals(
                sent.stream().filter(st -> "deny".equals(st.last())).count(),
                denials,
                "the DROP and the read grant's DELETE were denied, nothing else");
        assertEquals(2, denials);
        // session-proxy records the policy's "review" and then the hold's lifecycle (waiting, approved):
        // one held statement, counted once
        assertEquals(1, reviews, "the held DELETE is counted as reviewed, once");

        // every statement is in exactly one recording, with its decisions
        for (Sent st : sent) {
            List<List<JsonNode>> found = new ArrayList<>();
            for (Recording rec : recordings) {
                for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
                    if (st.sql().equals(req.data().path("text").asText())) {
                        found.add(decisions(rec, req.seq()));
                    }
                }
            }
            assertEquals(1, found.size(), "recordings of " + st.sql());
            List<JsonNode> d = found.get(0);
            assertFalse(d.isEmpty(), "no decision recorded for " + st.sql());
            assertEquals(st.first(), d.get(0).path("action").asText(), "policy's decision on " + st.sql());
            assertEquals(st.last(), d.get(d.size() - 1).path("action").asText(), "final decision on " + st.sql());
            if (st.reviewId() != null) {
                JsonNode last = d.get(d.size() - 1);
                assertEquals(st.reviewId(), last.path("review_id").asText(), "review named in " + last);
                assertEquals("approved", last.path("state").asText(), "review outcome in " + last);
            }
        }
        for (Recording rec : recordings) {
            assertEquals(1, rec.ofType(EventTypes.SESSION_STARTED).size());
            assertEquals(1, rec.ofType(EventTypes.SESSION_ENDED).size());
            assertNoneOf(rec.text(), secrets, "a recording");
            assertNoneOf(rec.text(), PortcullisSuite.sensitiveCustomerValues(), "a recording");
            assertNoJwt(rec.text(), "a recording");
        }

        // the checks can fail: a recording with one changed byte is rejected by the recorder's verifier
        JsonNode first = listed.get(0);
        byte[] tampered = recordings.get(0).bytes.clone();
        int at = new String(tampered, java.nio.charset.StandardCharsets.UTF_8).indexOf("\"session.");
        tampered[at + 2] = (byte) (tampered[at + 2] == 'e' ? 'E' : 'e');
        JsonNode verdict = recorder.verify(first.path("session_id").asText(), tampered);
        assertFalse(verdict.path("valid").asBoolean(), () -> "a tampered recording passed: " + verdict);
        assertFalse(Recording.parse(tampered).problems.isEmpty(), "the test's own chain check missed the tampering");
    }

    // ------------------------------------------------------------------------------ 5

    @Test
    @Order(5)
    void disablingTheAgentCutsItsOpenSessionAndRefusesNewTokens() throws SQLException {
        requireStep(agentSecret != null, 1);
        String agentToken = agentToken();
        String token = broker.sessionToken(agentToken, PROD, "read");
        sleepPastThisSecond();
        try (Connection open = ProxyJdbc.connect(suite.proxyPgPort(), PROD, AGENT, token);
                Statement st = open.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM customers")) {
                assertTrue(rs.next());
                assertEquals(PortcullisSuite.CUSTOMERS.size(), rs.getInt(1));
            }
            JsonNode disabled = broker.setEnabled(AGENT, false).expect(200).json();
            assertFalse(disabled.path("enabled").asBoolean(), disabled::toString);
            long t0 = System.nanoTime();

            SQLException cut = Poll.until("the open session to be cut", Duration.ofSeconds(15), () -> {
                try {
                    st.executeQuery("SELECT 1").close();
                    return null; // still open
                } catch (SQLException e) {
                    return e;
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 5, "cut " + seconds + " s after the agent was disabled");
            assertEquals("57P01", cut.getSQLState(), () -> "the session ended for another reason: " + cut);
            assertTrue(String.valueOf(cut.getMessage()).contains("agent " + AGENT + " was disabled"), cut::getMessage);
        }

        // the session token is still within its lifetime, but it predates the kill switch
        Client.Result again = psql(token, "SELECT 1");
        assertNotEquals(0, again.exit(), again::toString);
        assertTrue(again.err().contains("access of agent " + AGENT + " was ended"), again::toString);

        Http.Response direct = keycloak.clientCredentials(AGENT, agentSecret, null);
        assertNotEquals(
                200, direct.status(), () -> "Keycloak still issues tokens to a disabled agent: " + direct.text());
        assertEquals(403, broker.mint(agentToken, PROD, "read").status(), "the broker minted for a disabled agent");
    }

    // ------------------------------------------------------------------------------ helpers

    private String agentToken() {
        String t = keycloak.agent(AGENT, agentSecret);
        secrets.add(t);
        return t;
    }

    private Client.Result psql(String token, String sql) {
        Client.Result r = Psql.run(suite.proxyPgPort(), PROD, AGENT, token, sql);
        if (!r.err().contains("28P01") && !r.err().contains("28000")) {
            sessions++;
        }
        return r;
    }

    private int countRows(String table) throws SQLException {
        try (Connection c = suite.prodDatabase();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<JsonNode> decisions(Recording rec, long requestSeq) {
        return rec.decisions(requestSeq);
    }

    private static boolean contains(JsonNode arrayOrString, String value) {
        return arrayOrString.isArray()
                ? StreamSupport.stream(arrayOrString.spliterator(), false).anyMatch(n -> value.equals(n.asText()))
                : value.equals(arrayOrString.asText());
    }
}
