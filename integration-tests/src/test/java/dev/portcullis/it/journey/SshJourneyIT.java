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
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The journey of issue 8 over the SSH gateway, against the packaged services and a real OpenSSH
 * sshd ({@link SshTarget}), with the real OpenSSH {@code ssh} as the agent's client: an admin
 * creates agent {@code ssh-runner} and grants it write on {@code ssh-prod}; the agent reads a file
 * of customer data and gets it masked, and is refused a recursive removal that the default policy
 * pack forbids; the admin disables the agent while a session is open; the auditor finds every
 * session complete, with a valid asciicast and JSON Lines recording and no secret in either.
 *
 * <p>Steps build on each other and run in order on one test instance; they share the one suite.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshJourneyIT {

    static final String AGENT = "ssh-runner";
    static final String CONNECTION = PortcullisSuite.SSH;
    static final String LOGIN = AGENT + "@" + CONNECTION;
    static final String RM_MESSAGE = "recursive removal of / or a home directory is never allowed";

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    Recorder recorder;
    Ssh ssh;
    SshTarget target;

    String agentSecret;
    /** Commands that reached the proxy after a login, with the action the recording must show for each. */
    final Map<String, String> commands = new LinkedHashMap<>();
    /** Tokens, secrets, passwords and the proxy's private key for the target: none may appear in a recording. */
    final Set<String> secrets = new LinkedHashSet<>();

    @BeforeAll
    void suite(PortcullisSuite suite) throws IOException {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.recorder = new Recorder(suite.recorderUrl(), keycloak);
        this.target = suite.sshTarget();
        this.ssh = new Ssh(suite.proxySshPort(), suite.home().resolve("clients"));
        secrets.addAll(Keycloak.DEV_PASSWORDS.values());
        // the body of the private key (not its BEGIN/END lines), as any line of it would appear
        Files.readString(target.clientKey())
                .lines()
                .filter(l -> !l.startsWith("-----") && l.length() > 20)
                .forEach(secrets::add);
    }

    // ------------------------------------------------------------------------------ 1

    @Test
    @Order(1)
    void adminCreatesTheAgentAndGrantsWriteOnTheSshConnection() {
        Broker.CreatedAgent created = broker.createAgent(AGENT);
        assertNotNull(created.clientSecret(), "the client secret is returned once, at creation");
        agentSecret = created.clientSecret();
        secrets.add(agentSecret);
        assertEquals(403, broker.mint(agentToken(), CONNECTION, "write").status(), "minted without a grant");

        JsonNode grant = broker.grant(AGENT, CONNECTION, "write");
        assertEquals("active", grant.path("status").asText(), grant::toString);
        assertEquals("conn:" + CONNECTION + ":write", grant.path("scope").asText());
    }

    // ------------------------------------------------------------------------------ 2

    @Test
    @Order(2)
    void catOfCustomerDataComesBackMaskedAndRmRfIsRefusedAndNeverRuns() {
        requireStep(agentSecret != null, 1);
        String token = sessionToken();
        JsonNode claims = Keycloak.claims(token);
        assertTrue(
                List.of(claims.path("scope").asText().split(" ")).contains("conn:" + CONNECTION + ":write"),
                () -> "scope of the session token: " + claims.path("scope"));

        String cat = "cat " + target.customersFile();
        Client.Result read = ssh.run(LOGIN, token, cat);
        commands.put(cat, "allow");
        assertEquals(0, read.exit(), read::toString);
        List<String> lines = read.out().lines().toList();
        assertEquals(PortcullisSuite.CUSTOMERS.size(), lines.size(), read::toString);
        for (int i = 0; i < lines.size(); i++) {
            List<String> customer = PortcullisSuite.CUSTOMERS.get(i);
            String[] fields = lines.get(i).split(";", -1);
            assertEquals(3, fields.length, lines.get(i));
            assertEquals(customer.get(0), fields[0], "names are not sensitive and come back as stored");
            assertFalse(fields[1].contains("@"), () -> "an e-mail came back unmasked on line " + fields[0]);
            String card = customer.get(2);
            assertTrue(
                    fields[2].endsWith(card.substring(card.length() - 4)),
                    () -> "card masked to its last 4: " + fields[2]);
            assertFalse(
                    fields[2].matches(".*\\d{5,}.*"),
                    () -> "more than the last digits of a card are visible: " + fields[2]);
        }
        assertNoneOf(read.out() + read.err(), PortcullisSuite.sensitiveCustomerValues(), "ssh output");

        assertTrue(
                Files.exists(target.releases().resolve("current/VERSION")),
                "precondition: the release directory exists");
        String rm = "rm -rf --no-preserve-root " + target.releases();
        Client.Result refused = ssh.run(LOGIN, token, rm);
        commands.put(rm, "deny");
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("Portcullis: denied by policy"), refused::toString);
        assertTrue(refused.err().contains(RM_MESSAGE), refused::toString);
        // the target's own filesystem, not the proxy's word for it
        assertTrue(Files.exists(target.releases().resolve("current/VERSION")), "rm -rf ran on the target");
    }

    // ------------------------------------------------------------------------------ 3

    @Test
    @Order(3)
    void disablingTheAgentCutsItsOpenSshSessionAndTheEarlierTokenOpensNoNewOne() {
        requireStep(agentSecret != null, 1);
        String agentToken = agentToken();
        String token = broker.sessionToken(agentToken, CONNECTION, "write");
        secrets.add(token);
        sleepPastThisSecond();
        String waiting = "echo session-open; sleep 120";
        Client open = ssh.start(LOGIN, token, waiting);
        commands.put(waiting, "allow");
        try {
            Poll.until(
                    "the ssh session to run its command",
                    Duration.ofSeconds(60),
                    () -> open.out().contains("session-open") ? true : null);
            assertTrue(open.isAlive(), "the session is open");

            JsonNode disabled = broker.setEnabled(AGENT, false).expect(200).json();
            assertFalse(disabled.path("enabled").asBoolean(), disabled::toString);
            long t0 = System.nanoTime();
            Poll.until("the open ssh session to be cut", Duration.ofSeconds(15), () -> open.isAlive() ? null : true);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds < 5, "cut " + seconds + " s after the agent was disabled");
            Client.Result cut = open.await(Duration.ofSeconds(10));
            assertNotEquals(0, cut.exit(), cut::toString);
            assertTrue(cut.err().contains("Portcullis: agent " + AGENT + " was disabled"), cut::toString);
        } finally {
            open.kill();
        }

        // the session token is still within its lifetime, but it predates the kill switch
        Client.Result again = ssh.run(LOGIN, token, "echo should-not-run");
        assertEquals(255, again.exit(), again::toString);
        assertTrue(again.err().contains("Permission denied"), again::toString);
        assertFalse(again.out().contains("should-not-run"), again::toString);
        Http.Response direct = keycloak.clientCredentials(AGENT, agentSecret, null);
        assertNotEquals(200, direct.status(), "Keycloak still issues tokens to a disabled agent");
        assertEquals(
                403, broker.mint(agentToken, CONNECTION, "write").status(), "the broker minted for a disabled agent");
    }

    // ------------------------------------------------------------------------------ 4

    @Test
    @Order(4)
    void auditorFindsEverySessionCompleteWithAValidAsciicastAndNoSecret() {
        requireStep(commands.size() >= 2, 2);
        List<JsonNode> listed = Poll.until(
                "all " + commands.size() + " ssh sessions of " + AGENT + " complete", Duration.ofSeconds(90), () -> {
                    List<JsonNode> s = recorder.sessions(AGENT);
                    return s.size() == commands.size()
                                    && s.stream()
                                            .allMatch(x -> "complete"
                                                    .equals(x.path("status").asText()))
                            ? s
                            : null;
                });

        Map<String, List<String>> decided = new LinkedHashMap<>();
        List<String> castOutputs = new ArrayList<>();
        long denials = 0;
        for (JsonNode s : listed) {
            String id = s.path("session_id").asText();
            assertEquals(CONNECTION, s.path("connection").asText(), s::toString);
            assertEquals("ssh", s.path("protocol").asText(), s::toString);
            assertEquals("prod", s.path("tags").path("env").asText(), s::toString);
            denials += s.path("denials").asLong();

            Recording rec = recorder.downloadVerified(id);
            Asciicast cast = recorder.downloadCast(id);
            assertEquals(1, rec.ofType(EventTypes.SESSION_STARTED).size());
            assertEquals(1, rec.ofType(EventTypes.SESSION_ENDED).size());
            assertEquals(
                    EventTypes.SESSION_ENDED,
                    rec.lines.getLast().type(),
                    () -> "session " + id + " has an event after session.ended: "
                            + rec.lines.getLast().event());
            for (Recording.Line req : rec.ofType(EventTypes.SESSION_REQUEST)) {
                String command = req.data().path("command").asText();
                List<String> actions = rec.ofType(EventTypes.SESSION_DECISION).stream()
                        .filter(d -> d.data().path("request_seq").asLong(-1) == req.seq())
                        .map(d -> d.data().path("action").asText())
                        .toList();
                decided.put(command, actions);
                assertTrue(
                        cast.events.stream()
                                .anyMatch(e -> e.code().equals("i") && e.data().contains(command)),
                        () -> "the cast shows the command as input: " + command);
            }
            castOutputs.add(cast.output());
            for (String text : List.of(rec.text(), cast.text())) {
                assertNoneOf(text, secrets, "a recording of session " + id);
                assertNoneOf(text, PortcullisSuite.sensitiveCustomerValues(), "a recording of session " + id);
                assertNoJwt(text, "a recording of session " + id);
            }
            if (rec.ofType(EventTypes.SESSION_REQUEST).stream()
                    .anyMatch(r -> r.data().path("command").asText().contains("sleep"))) {
                String reason = rec.ofType(EventTypes.SESSION_ENDED)
                        .get(0)
                        .data()
                        .path("reason")
                        .asText();
                assertTrue(reason.contains("disabled"), () -> "the cut session's end names the kill switch: " + reason);
            }
        }
        for (Map.Entry<String, String> c : commands.entrySet()) {
            assertEquals(
                    List.of(c.getValue()), decided.get(c.getKey()), "policy's decision recorded for " + c.getKey());
        }
        assertEquals(1, denials, "the rm -rf was denied, nothing else");
        // the terminal output the auditor replays is the masked one: names, never e-mails or card numbers
        assertTrue(
                castOutputs.stream()
                        .anyMatch(
                                o -> o.contains(PortcullisSuite.CUSTOMERS.get(0).get(0))),
                () -> "the cat output is in a cast: " + castOutputs);
    }

    // ------------------------------------------------------------------------------ helpers

    private String agentToken() {
        String t = keycloak.agent(AGENT, agentSecret);
        secrets.add(t);
        return t;
    }

    private String sessionToken() {
        JsonNode minted =
                broker.mint(agentToken(), CONNECTION, "write").expect(200).json();
        String t = minted.path("access_token").asText();
        secrets.add(t);
        // the broker's hint is the command an agent runs: user <agent>@<connection> at the proxy's SSH port
        assertEquals(
                "ssh -p " + suite.proxySshPort() + " " + AGENT + "@" + CONNECTION + "@127.0.0.1",
                minted.path("connection").path("ssh").asText(),
                minted.path("connection")::toString);
        return t;
    }
}
