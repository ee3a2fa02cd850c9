package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.devstack.cli.DemoAgent;
import dev.portcullis.devstack.cli.PortcullisCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's quick tour is {@code bin/quick-tour}; this runs that script, unchanged, against the
 * packaged suite with the variables {@code bin/portcullis env} prints (built by the same code, for
 * the suite's free ports), so the tour a reader pastes cannot drift from the product. Before it,
 * {@code up}'s registration of demo-agent through the broker runs against the same suite.
 *
 * <p>Order matters: the tour's approved DELETE empties pg-demo's table, which demo-agent's check reads.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickTourIT {

    static final String DEMO = "pg-demo";

    PortcullisSuite suite;
    Path root;
    String demoSecret;

    @BeforeAll
    void suite(PortcullisSuite suite) {
        this.suite = suite;
        this.root = Path.of(System.getProperty("portcullis.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    @Test
    @Order(1)
    void upRegistersDemoAgentThroughTheBrokerOnceAndItsSessionTokensComeFromTheBroker() throws IOException {
        Path secretFile = suite.home().resolve("secrets/demo-agent.secret");
        DemoAgent demo = new DemoAgent(suite.keycloakUrl(), suite.brokerUrl(), secretFile, null);

        DemoAgent.Result first = demo.ensure(Duration.ofSeconds(30));
        assertTrue(first.outcome().startsWith("registered through identity-broker"), first.outcome());
        assertTrue(first.outcome().contains("standing read grant on " + DEMO + " given"), first.outcome());
        assertEquals(first.secret(), Files.readString(secretFile));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));

        // a restart of `up` keeps its state: the agent the broker manages is reused, secret and grant unchanged
        DemoAgent.Result again = demo.ensure(Duration.ofSeconds(30));
        assertEquals("managed by identity-broker, reused", again.outcome());
        assertEquals(first.secret(), again.secret());
        demoSecret = again.secret();

        Broker broker = new Broker(suite.brokerUrl(), new Keycloak(suite.keycloakUrl()));
        Keycloak keycloak = new Keycloak(suite.keycloakUrl());
        String agentToken = keycloak.clientCredentials(DemoAgent.NAME, again.secret(), null)
                .expect(200)
                .json()
                .path("access_token")
                .asText();
        String session = broker.sessionToken(agentToken, DEMO, "read");
        Client.Result read = Psql.run(
                suite.proxyPgPort(), DEMO, DemoAgent.NAME, session, "SELECT name, email, card_number FROM customers");
        assertEquals(0, read.exit(), read::toString);
        assertEquals(8, read.out().lines().count(), () -> "every seeded customer: " + read);
        assertTrue(read.out().contains("************1111"), "card numbers masked: " + read);
        assertFalse(read.out().contains("4111111111111111"), "a card number reached the agent: " + read);
        assertEquals(403, broker.mint(agentToken, DEMO, "write").status(), "demo-agent's grant is read only");
    }

    @Test
    @Order(2)
    void theQuickTourScriptPassesEveryStepAgainstThePackagedSuite() {
        Map<String, String> env = new LinkedHashMap<>(PortcullisCli.addresses(
                suite.keycloakUrl(),
                suite.stack().kafka().bootstrapServers(),
                suite.stack().s3().endpoint(),
                suite.services().ports()));
        env.putAll(PortcullisCli.devCredentials(demoSecret));
        ProcessBuilder pb =
                new ProcessBuilder("bash", root.resolve("bin/quick-tour").toString());
        pb.directory(suite.home().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTCULLIS_") || k.startsWith("PG"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Client.Result tour = Client.start("bin/quick-tour", pb).await(Duration.ofMinutes(8));
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        System.out.println("bin/quick-tour took " + seconds + " s:\n" + tour.out());
        assertEquals(0, tour.exit(), tour::toString);

        String out = tour.out();
        Matcher passed = Pattern.compile("quick-tour: PASSED in \\d+ s \\(agent (tour-\\S+), 6 recorded sessions\\)")
                .matcher(out);
        assertTrue(passed.find(), () -> "no PASSED line: " + tour);
        // the outcomes the README walks through, in this order
        List<String> steps = List.of(
                "ok: agent " + passed.group(1) + " registered",
                "ok: e-mails and card numbers come back masked",
                "ok: DROP TABLE refused by policy",
                "ok: a write with a read token refused",
                "ok: dave-approver approved; request approved",
                "ok: psql is still waiting: nothing deleted yet",
                "ok: bob-approver approved review",
                "ok: dave-approver approved review",
                "ok: the held DELETE ran only after approval: DELETE 8",
                "ok: the recording shows the DELETE held for review, then allowed once approved",
                "ok: the recorder verified recording",
                "ok: the proxy refuses the agent's unexpired session token",
                "ok: Keycloak refuses the agent a token",
                "ok: the broker refuses to mint for it");
        int at = 0;
        for (String step : steps) {
            int found = out.indexOf(step, at);
            assertTrue(found >= 0, () -> "missing or out of order: \"" + step + "\" in\n" + out);
            at = found;
        }
        assertFalse(out.contains("FAILED"), out);
        if (demoSecret != null) {
            assertFalse(out.contains(demoSecret), "the tour printed demo-agent's secret");
        }
        assertFalse(tour.out().matches("(?s).*eyJ[A-Za-z0-9_-]{10,}\\.eyJ.*"), "the tour printed a token");
    }
}
