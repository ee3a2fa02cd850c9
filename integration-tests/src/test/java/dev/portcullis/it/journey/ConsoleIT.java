package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portcullis.contracts.events.EventTypes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console (issue 17) in a real headless Chromium against the packaged suite and the real Keycloak login page:
 * {@code bob-approver} signs in, a {@code DELETE} that psql holds appears on his Reviews page without a reload, he and
 * {@code dave-approver} (prod needs two) approve it there and psql completes; a statement holding markup is shown as
 * text; a POST without the CSRF token is refused and the review stays pending; an agent's token and an unauthenticated
 * caller get nothing; every answer carries the strict Content-Security-Policy; {@code carol-auditor} searches the
 * sessions by agent and protocol and by denials and reviews, sees an SSH session's recording verified (on load and
 * re-checked), downloads it through the console (the sealed bytes, the recorder's file name) and replays its output as
 * text; bob approves and denies access requests in the page while forged posts change nothing; {@code alice-admin}
 * creates an agent, sees its secret once, grants it access and revokes the grant in the page (forged posts, a refused
 * grant and an approver's revoke change nothing; the revocation cuts its open session), and disabling it in the page
 * cuts its open session; a policy edit that does not compile is refused with its error and nothing is stored; signing
 * out ends the Keycloak session.
 *
 * <p>The hold-to-screen latency is measured from the hold's own time (the review's {@code expires_at} less
 * session-proxy's review timeout) to the moment the page put the review in the DOM, and printed.
 *
 * <p>Each run also keeps screenshots of the main pages at laptop size for the README
 * ({@code target/console-screenshots/tour-*.png}; console/README.md "Screenshots"); never of a page showing a secret.
 */
@ExtendWith(SuiteExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    static final String AGENT = "console-agent";
    static final String PROD = PortcullisSuite.PROD;
    static final String TABLE = "console_items";
    /** session-proxy's {@code portcullis.review.timeout} (its default; the suite keeps it): expires_at = hold + this. */
    static final Duration PROXY_REVIEW_TIMEOUT = Duration.ofMinutes(5);
    /** The exact policy docs/architecture.md and console/README.md give. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** What the SSH session prints: markup the replay must show as text. */
    static final String SSH_OUTPUT = "replay <img src=x onerror=alert(1)> <b>done</b>";

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    /** A document of policy-service's default pack, edited (and refused) in step 10. */
    static final String POLICY = "default-postgres";

    PortcullisSuite suite;
    Keycloak keycloak;
    Broker broker;
    String console;
    String agentSecret;
    final List<Browser> browsers = new ArrayList<>();
    Browser bob;
    /** The sessions of the held DELETE (approved) and the held UPDATE holding markup (denied). */
    String deleteSession;

    String markupSession;

    @RegisterExtension
    final TestWatcher screenshots = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (Browser b : browsers) {
                Path file = b.screenshot(
                        SCREENSHOTS, context.getRequiredTestMethod().getName());
                System.out.println("ConsoleIT: screenshot of the failed step: " + file);
            }
        }
    };

    @BeforeAll
    void suite(PortcullisSuite suite) throws SQLException {
        this.suite = suite;
        this.keycloak = new Keycloak(suite.keycloakUrl());
        this.broker = new Broker(suite.brokerUrl(), keycloak);
        this.console = suite.consoleUrl();
        agentSecret = broker.createAgent(AGENT).clientSecret();
        broker.grant(AGENT, PROD, "write");
        try (Connection c = suite.prodDatabase();
                Statement s = c.createStatement()) {
            s.execute("SET ROLE " + PortcullisSuite.PROD_ROLE);
            s.execute("CREATE TABLE " + TABLE + " (id serial PRIMARY KEY, note text)");
        }
    }

    @AfterAll
    void closeBrowsers() {
        browsers.forEach(Browser::close);
    }

    // ------------------------------------------------------------------------------ 1

    @Test
    @Order(1)
    void anUnauthenticatedBrowserIsSentToKeycloakAndBobSignsInWithPkce() {
        bob = browser("bob");
        bob.open(console + "/reviews");
        String login = bob.await("the redirect to Keycloak", Duration.ofSeconds(30), d -> {
            String u = d.getCurrentUrl();
            return u.startsWith(suite.keycloakUrl() + "/realms/portcullis/protocol/openid-connect/auth") ? u : null;
        });
        assertTrue(login.contains("client_id=portcullis-console"), login);
        assertTrue(login.contains("response_type=code"), login);
        assertTrue(login.contains("code_challenge_method=S256") && login.contains("code_challenge="), login);

        bob.signIn(suite.keycloakUrl(), Keycloak.APPROVER, Keycloak.DEV_PASSWORDS.get(Keycloak.APPROVER));
        bob.await(
                "the Reviews page, live",
                Duration.ofSeconds(30),
                d -> d.getCurrentUrl().equals(console + "/reviews")
                        && "Live".equals(d.findElement(By.id("stream-state")).getText()));
        assertEquals(Keycloak.APPROVER, bob.find("#user").getText());

        // the session is an HttpOnly cookie; no token in the URL or the browser's storage
        List<Cookie> session = bob.sessionCookies();
        assertFalse(session.isEmpty(), "the OIDC session cookie");
        for (Cookie c : session) {
            assertTrue(c.isHttpOnly(), c.getName() + " is HttpOnly");
            assertEquals("Lax", c.getSameSite(), c.getName() + " is SameSite=Lax");
        }
        assertFalse(bob.url().contains("code=") || bob.url().contains("token"), bob.url());
        assertEquals(Map.of("local", 0L, "session", 0L), bob.storage());
        Checks.assertNoJwt(String.valueOf(bob.script("return document.documentElement.outerHTML")), "the page");
    }

    // ------------------------------------------------------------------------------ 2

    @Test
    @Order(2)
    void aHeldDeleteAppearsWithoutReloadAndTheApproversReleaseIt() throws SQLException {
        Checks.requireStep(bob != null, 1);
        seed(3);
        bob.script("window.consoleItMark = 'no reload';");
        String sql = "DELETE FROM " + TABLE;
        Client held = Psql.start(suite.proxyPgPort(), PROD, AGENT, writeToken(), sql);
        try {
            String reviewId = reviewId(held);
            WebElement item = bob.await(
                    "review " + reviewId + " on bob's page",
                    Duration.ofSeconds(15),
                    d -> first(d.findElements(By.cssSelector("li[data-review-id='" + reviewId + "']"))));
            long shownAt = Long.parseLong(item.getDomAttribute("data-shown-at"));
            JsonNode review =
                    broker.review(Keycloak.APPROVER, reviewId).expect(200).json();
            deleteSession = review.path("session_id").asText();
            Instant hold = Instant.parse(review.path("expires_at").asText()).minus(PROXY_REVIEW_TIMEOUT);
            long latency = shownAt - hold.toEpochMilli();
            System.out.println("ConsoleIT: hold-to-screen latency " + latency + " ms (review " + reviewId + ")");
            assertTrue(latency >= 0 && latency < 5_000, "hold-to-screen latency " + latency + " ms");
            assertEquals("no reload", bob.script("return window.consoleItMark;"), "the page was reloaded");

            assertEquals(AGENT, field(item, "agent"));
            assertEquals(PROD, field(item, "connection"));
            assertEquals("env=prod", field(item, "tags"));
            assertEquals(sql, field(item, "statement"));
            assertTrue(field(item, "reasons").length() > 0, "the policy's reasons are shown");
            // the policy's rule ids, as the broker has them; the DELETE was its session's first request
            List<String> rules = new ArrayList<>();
            review.path("rules").forEach(r -> rules.add(r.asText()));
            assertFalse(rules.isEmpty(), review::toString);
            assertEquals(String.join(", ", rules), field(item, "rules"));
            assertEquals("Nothing before this request.", field(item, "history-note"));
            assertTrue(item.findElements(By.cssSelector("ol[data-field='history'] > li"))
                    .isEmpty());
            assertTrue(field(item, "approvals").startsWith("0 of 2 approvals"), field(item, "approvals"));
            assertTrue(field(item, "time-left").contains("min"), field(item, "time-left"));
            tour(bob, "reviews");

            item.findElement(By.cssSelector("textarea")).sendKeys("looks right, bob");
            item.findElement(By.cssSelector("button.approve")).click();
            bob.await(
                    "bob's approval on the page",
                    Duration.ofSeconds(15),
                    d -> field(item, "approvals")
                            .startsWith("1 of 2 approvals: bob-approver (approve: looks right, bob)"));
            assertEquals(
                    "Approved: review pending",
                    item.findElement(By.cssSelector(".outcome")).getText());
            assertTrue(held.isAlive(), "psql still waits after one approval of two");
            assertEquals(3, count(), "nothing deleted after one approval");

            Browser dave = browser("dave");
            dave.open(console + "/reviews");
            dave.signIn(
                    suite.keycloakUrl(),
                    Keycloak.SECOND_APPROVER,
                    Keycloak.DEV_PASSWORDS.get(Keycloak.SECOND_APPROVER));
            WebElement daves = dave.await(
                    "review " + reviewId + " on dave's page",
                    Duration.ofSeconds(30),
                    d -> first(d.findElements(By.cssSelector("li[data-review-id='" + reviewId + "']"))));
            daves.findElement(By.cssSelector("button.approve")).click();

            Client.Result ran = held.await(Duration.ofSeconds(60));
            assertEquals(0, ran.exit(), ran::toString);
            assertTrue(ran.out().contains("DELETE 3"), ran::toString);
            assertEquals(0, count(), "the approved DELETE ran");
            bob.await(
                    "the decided review gone from bob's page",
                    Duration.ofSeconds(15),
                    d -> d.findElements(By.cssSelector("li[data-review-id='" + reviewId + "']"))
                            .isEmpty());
            assertEquals("no reload", bob.script("return window.consoleItMark;"), "the page was reloaded");
            dave.close();
            browsers.remove(dave);
        } finally {
            if (held.isAlive()) {
                held.kill();
            }
        }
    }

    // ------------------------------------------------------------------------------ 3

    @Test
    @Order(3)
    void markupInAStatementIsInertAndAPostWithoutTheCsrfTokenIsRefused() throws Exception {
        Checks.requireStep(bob != null, 1);
        seed(2);
        String title = bob.driver().getTitle();
        String sql = "UPDATE " + TABLE + " SET note = '<img src=x onerror=\"document.title=''pwned''\">"
                + "<script>document.title=''pwned''</script><b>bold</b>'";
        // an earlier statement of the same session, with markup and a card number: the review's "session so far"
        String card = "4111111111111111";
        String earlier = "SELECT '<img src=x onerror=\"document.title=''pwned''\"><b>so far</b>' AS note, '" + card
                + "' AS card";
        Client held = Psql.start(suite.proxyPgPort(), PROD, AGENT, writeToken(), List.of(earlier, sql));
        try {
            String reviewId = reviewId(held);
            WebElement item = bob.await(
                    "review " + reviewId + " on bob's page",
                    Duration.ofSeconds(15),
                    d -> first(d.findElements(By.cssSelector("li[data-review-id='" + reviewId + "']"))));
            // the markup is text: shown literally, and no element was made of it
            assertEquals(sql, field(item, "statement"));
            List<WebElement> history = item.findElements(By.cssSelector("ol[data-field='history'] > li"));
            assertEquals(1, history.size(), "the session so far: the SELECT before the UPDATE");
            assertEquals(
                    "allow",
                    history.get(0)
                            .findElement(By.cssSelector(".history-action"))
                            .getText());
            String shownEarlier = history.get(0)
                    .findElement(By.cssSelector(".history-request"))
                    .getText();
            assertTrue(shownEarlier.contains("<b>so far</b>"), shownEarlier);
            assertFalse(shownEarlier.contains(card), "the card number is masked as recorded: " + shownEarlier);
            assertFalse(item.getText().contains(card), "no unmasked card number in the review");
            assertEquals(
                    0L,
                    bob.script(
                            "return document.querySelectorAll('#reviews img, #reviews script, #reviews b').length;"));
            assertEquals(title, bob.driver().getTitle(), "a script of the statement ran");

            // the page's own fetch, with bob's session cookie but without (or with a forged) CSRF token: refused
            for (String header : List.of("", "forged-token")) {
                for (String decision : List.of("approve", "deny")) {
                    Object status = bob.asyncScript("""
                            const done = arguments[arguments.length - 1];
                            const headers = {'Content-Type': 'application/json'};
                            if (arguments[1]) { headers['X-CSRF-Token'] = arguments[1]; }
                            fetch(arguments[0], {method: 'POST', credentials: 'same-origin', headers: headers,
                                body: JSON.stringify({comment: 'forged'})}).then(r => done(r.status), e => done(String(e)));
                            """, "/api/reviews/" + reviewId + "/" + decision, header);
                    assertEquals(403L, status, decision + " with CSRF token '" + header + "'");
                }
            }
            // and from outside the browser, with the session cookie alone
            HttpResponse<String> outside =
                    send(HttpRequest.newBuilder(URI.create(console + "/api/reviews/" + reviewId + "/approve"))
                            .header("Cookie", bob.cookieHeader())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"comment\":\"forged\"}")));
            assertEquals(403, outside.statusCode(), outside.body());
            JsonNode review =
                    broker.review(Keycloak.APPROVER, reviewId).expect(200).json();
            markupSession = review.path("session_id").asText();
            assertEquals("pending", review.path("status").asText(), review::toString);
            assertEquals(0, review.path("approvals").size(), review::toString);
            assertTrue(held.isAlive(), "psql still waits");

            // bob denies it on the page: one denial decides, the UPDATE never runs
            item.findElement(By.cssSelector("textarea")).sendKeys("<script>alert(1)</script> no");
            item.findElement(By.cssSelector("button.deny")).click();
            Client.Result denied = held.await(Duration.ofSeconds(60));
            assertNotEquals(0, denied.exit(), denied::toString);
            assertEquals(
                    "denied",
                    broker.review(Keycloak.APPROVER, reviewId)
                            .expect(200)
                            .json()
                            .path("status")
                            .asText());
            assertEquals(0, countWhere("note IS NOT NULL"), "the denied UPDATE changed nothing");
            assertEquals(2, count());
        } finally {
            if (held.isAlive()) {
                held.kill();
            }
        }
    }

    // ------------------------------------------------------------------------------ 4

    @Test
    @Order(4)
    void anAgentsTokenAndAnUnauthenticatedCallerGetNothing() {
        String agentToken = keycloak.agent(AGENT, agentSecret);
        for (String path : List.of("/", "/reviews", "/api/reviews", "/api/reviews/stream")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(console + path))
                    .header("Authorization", "Bearer " + agentToken)
                    .GET());
            assertEquals(401, r.statusCode(), "GET " + path + " with an agent's token: " + r.body());
            assertFalse(r.body().contains(AGENT) || r.body().contains("review_id"), r.body());
        }
        HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(console + "/api/reviews/x/approve"))
                .header("Authorization", "Bearer " + agentToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(401, post.statusCode(), post.body());

        HttpResponse<String> page =
                send(HttpRequest.newBuilder(URI.create(console + "/reviews")).GET());
        assertEquals(302, page.statusCode(), "a page without a session redirects to the login");
        assertTrue(
                page.headers().firstValue("Location").orElse("").startsWith(suite.keycloakUrl()),
                page.headers().toString());
        for (String path : List.of("/api/reviews", "/api/reviews/stream")) {
            HttpResponse<String> r =
                    send(HttpRequest.newBuilder(URI.create(console + path)).GET());
            assertEquals(401, r.statusCode(), "GET " + path + " without a session");
        }
        HttpResponse<String> anonymousPost = send(HttpRequest.newBuilder(URI.create(console + "/api/reviews/x/deny"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(401, anonymousPost.statusCode());
    }

    // ------------------------------------------------------------------------------ 5

    @Test
    @Order(5)
    void everyAnswerCarriesTheStrictContentSecurityPolicy() {
        Checks.requireStep(bob != null, 1);
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (String path : List.of(
                "/reviews",
                "/api/reviews",
                "/js/reviews.js",
                "/js/session.js",
                "/js/decide.js",
                "/js/agents.js",
                "/css/console.css",
                "/signed-out.html",
                "/sessions",
                "/decisions",
                "/access-requests",
                "/agents",
                "/connections",
                "/api/sessions/x/recording")) {
            answers.add(send(HttpRequest.newBuilder(URI.create(console + path)).GET()));
        }
        HttpResponse<String> signedIn = send(HttpRequest.newBuilder(URI.create(console + "/reviews"))
                .header("Cookie", bob.cookieHeader())
                .GET());
        assertEquals(200, signedIn.statusCode(), "bob's session cookie opens the page");
        answers.add(signedIn);
        HttpResponse<String> json = send(HttpRequest.newBuilder(URI.create(console + "/api/reviews"))
                .header("Cookie", bob.cookieHeader())
                .GET());
        assertEquals(200, json.statusCode());
        answers.add(json);
        for (HttpResponse<String> r : answers) {
            String where = r.request().uri() + " (" + r.statusCode() + ")";
            assertEquals(CSP, r.headers().firstValue("Content-Security-Policy").orElse(null), where);
            assertEquals(
                    "nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), where);
            assertEquals(
                    "no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), where);
        }
        // the page itself has no inline script or style for the policy to allow
        String html = signedIn.body();
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "an inline script");
        assertFalse(Pattern.compile("\\sstyle=|<style").matcher(html).find(), "an inline style");
    }

    // ------------------------------------------------------------------------------ 6

    @Test
    @Order(6)
    void carolFindsTheSessionsAndReadsTheirTimelinesAsText() {
        Checks.requireStep(deleteSession != null && markupSession != null, 3);
        // the recorder, not the console, refuses an approver
        bob.open(console + "/sessions");
        assertTrue(
                bob.await("bob's refusal", Duration.ofSeconds(30), d -> d.findElement(By.id("refused")))
                        .getText()
                        .contains("403"),
                "recorder-service refused bob");

        Browser carol = browser("carol");
        carol.open(console + "/sessions?agent=" + AGENT);
        carol.signIn(suite.keycloakUrl(), Keycloak.AUDITOR, Keycloak.DEV_PASSWORDS.get(Keycloak.AUDITOR));
        carol.await("the DELETE's session in carol's list", Duration.ofSeconds(30), d -> {
            if (d.findElements(By.cssSelector("tr[data-session-id='" + deleteSession + "']"))
                    .isEmpty()) {
                Poll.pause(500);
                d.navigate().refresh();
                return false;
            }
            return true;
        });

        WebElement timeline = sealedTimeline(carol, deleteSession);
        assertEquals(AGENT, carol.find("#agent").getText());
        String text = timeline.getText();
        assertTrue(text.contains("DELETE FROM " + TABLE), text);
        assertTrue(text.contains("action=review") && text.contains("state=approved"), text);
        // who decided it: both approvers, from the broker's audit trail
        List<String> approvers = new ArrayList<>();
        for (WebElement row : carol.driver().findElements(By.cssSelector("#review-steps tbody tr"))) {
            if (EventTypes.REVIEW_APPROVED.equals(field(row, "action"))) {
                approvers.add(field(row, "actor"));
            }
        }
        assertEquals(List.of(Keycloak.APPROVER, Keycloak.SECOND_APPROVER), approvers);
        carol.await(
                "the DELETE's recording verified",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("#verification[data-verified='valid']"))));
        tour(carol, "session", 1600, true, null);

        WebElement markup = sealedTimeline(carol, markupSession);
        assertTrue(markup.getText().contains("<img src=x onerror="), markup.getText());
        assertTrue(markup.getText().contains("state=denied"), markup.getText());
        assertEquals(
                0L,
                carol.script(
                        "return document.querySelectorAll('#timeline img, #timeline script, #timeline b').length;"));

        // searched by denials and reviews; protocol=postgres, so that the SSH session of step 7 never matches
        String search = console + "/sessions?agent=" + AGENT + "&protocol=postgres";
        carol.open(search);
        assertEquals(Set.of(deleteSession, markupSession), sessionIds(carol), "the agent's psql sessions");
        tour(carol, "sessions");
        new Select(carol.find("select[name='denied']")).selectByVisibleText("with denials");
        carol.find("form.search button[type='submit']").click();
        carol.await(
                "the search with denials",
                Duration.ofSeconds(30),
                d -> d.getCurrentUrl().contains("denied=true"));
        assertEquals(Set.of(markupSession), sessionIds(carol), "with denials: the denied UPDATE's session");
        assertEquals(
                "with denials",
                new Select(carol.find("select[name='denied']"))
                        .getFirstSelectedOption()
                        .getText());
        carol.open(search + "&denied=false&reviewed=true");
        assertEquals(Set.of(deleteSession), sessionIds(carol), "without denials, with reviews: the approved DELETE's");
        assertEquals(
                "without denials",
                new Select(carol.find("select[name='denied']"))
                        .getFirstSelectedOption()
                        .getText());
        assertEquals(
                "with reviews",
                new Select(carol.find("select[name='reviewed']"))
                        .getFirstSelectedOption()
                        .getText());
        carol.open(search + "&reviewed=false");
        Set<String> unreviewed = sessionIds(carol);
        assertFalse(
                unreviewed.contains(deleteSession) || unreviewed.contains(markupSession),
                "without reviews: " + unreviewed);
        // a value the recorder would refuse is named in the page, not sent
        carol.open(console + "/sessions?denied=yes");
        assertEquals(
                "denied: must be true (with denials), false (without denials) or empty (any)",
                carol.find("#invalid li").getText());
        assertTrue(carol.driver().findElements(By.id("sessions")).isEmpty(), "a refused search listed sessions");
        carol.close();
        browsers.remove(carol);
    }

    /** The session ids of the Sessions page's rows, once a search the recorder answered is shown. */
    private static Set<String> sessionIds(Browser b) {
        b.await(
                "the recorder's answer",
                Duration.ofSeconds(30),
                d -> "complete".equals(b.script("return document.readyState;"))
                        && !d.findElements(By.id("total")).isEmpty());
        Set<String> ids = new HashSet<>();
        for (WebElement row : b.driver().findElements(By.cssSelector("#sessions tbody tr"))) {
            ids.add(row.getDomAttribute("data-session-id"));
        }
        return ids;
    }

    /** The session's detail page once the recorder has sealed its recording (reloaded until then). */
    private WebElement sealedTimeline(Browser b, String sessionId) {
        b.open(console + "/sessions/" + sessionId);
        return b.await("the sealed timeline of " + sessionId, Duration.ofSeconds(60), d -> {
            List<WebElement> t = d.findElements(By.id("timeline"));
            if (t.isEmpty()) {
                Poll.pause(500);
                d.navigate().refresh();
                return null;
            }
            return t.get(0);
        });
    }

    // ------------------------------------------------------------------------------ 7

    @Test
    @Order(7)
    void carolReplaysAnSshSessionAsTextSeesItVerifiedAndDownloadsIt() throws Exception {
        Checks.requireStep(deleteSession != null, 2);
        broker.grant(AGENT, PortcullisSuite.SSH, "write");
        String token = broker.sessionToken(keycloak.agent(AGENT, agentSecret), PortcullisSuite.SSH, "write");
        Ssh ssh = new Ssh(suite.proxySshPort(), suite.home().resolve("clients"));
        Client.Result ran = ssh.run(AGENT + "@" + PortcullisSuite.SSH, token, "echo '" + SSH_OUTPUT + "'");
        assertEquals(0, ran.exit(), ran::toString);
        assertTrue(ran.out().contains(SSH_OUTPUT), ran::toString);

        Browser carol = browser("carol-replay");
        carol.open(console + "/sessions?agent=" + AGENT + "&protocol=ssh");
        carol.signIn(suite.keycloakUrl(), Keycloak.AUDITOR, Keycloak.DEV_PASSWORDS.get(Keycloak.AUDITOR));
        // the search by agent and protocol: only the SSH session, not the psql ones
        String sshSession = carol.await("the SSH session in carol's search", Duration.ofSeconds(30), d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#sessions tbody tr"));
            if (rows.isEmpty()) {
                Poll.pause(500);
                d.navigate().refresh();
                return null;
            }
            return rows.get(0).getDomAttribute("data-session-id");
        });
        for (WebElement row : carol.driver().findElements(By.cssSelector("#sessions tbody tr"))) {
            assertEquals("ssh", row.findElements(By.tagName("td")).get(3).getText(), row.getText());
        }
        carol.open(console + "/sessions?agent=" + AGENT + "&protocol=postgres");
        assertFalse(carol.driver()
                .findElements(By.cssSelector("tr[data-session-id='" + deleteSession + "']"))
                .isEmpty());
        assertTrue(carol.driver()
                .findElements(By.cssSelector("tr[data-session-id='" + sshSession + "']"))
                .isEmpty());
        // a search the recorder would refuse is explained, not sent
        carol.open(console + "/sessions?from=yesterday");
        assertTrue(
                carol.find("#invalid").getText().contains("from:"),
                carol.find("#invalid").getText());

        sealedTimeline(carol, sshSession);
        String sha256 = carol.find("#sha256").getText();
        assertTrue(sha256.matches("[0-9a-f]{64}"), sha256);

        // verified on load by the recorder: digest, chain head, signing key
        WebElement verification = carol.await(
                "the recording verified",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("#verification[data-verified='valid']"))));
        assertEquals(sha256, field(verification, "sha256"));
        assertEquals(carol.find("#chain-head").getText(), field(verification, "chain_head"));
        assertFalse(field(verification, "key_id").isBlank(), "the signing key is named");
        assertEquals("valid", field(verification, "valid"));
        // re-checked on demand
        String before = carol.find("#verify-state").getText();
        carol.find("#verify").click();
        carol.await(
                "the re-check",
                Duration.ofSeconds(30),
                d -> !d.findElement(By.id("verify-state")).getText().equals(before)
                        && d.findElement(By.id("verify-state")).getText().startsWith("Verified at"));

        // downloaded through the console with carol's token: the recorder's file, name and digest
        @SuppressWarnings("unchecked")
        Map<String, Object> download = (Map<String, Object>)
                carol.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {credentials: 'same-origin'}).then(async r => {
                  const bytes = await r.arrayBuffer();
                  const digest = await crypto.subtle.digest('SHA-256', bytes);
                  const hex = Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
                  done({status: r.status, disposition: r.headers.get('Content-Disposition'),
                        sha: r.headers.get('X-Portcullis-Sha256'), digest: hex});
                }, e => done({status: String(e)}));
                """, carol.find("#download-jsonl").getDomAttribute("href"));
        assertEquals(200L, download.get("status"), download::toString);
        assertEquals("attachment; filename=\"" + sshSession + ".jsonl\"", download.get("disposition"));
        assertEquals(sha256, download.get("sha"));
        assertEquals(sha256, download.get("digest"), "the bytes downloaded are the recording sealed");

        // the terminal output replayed in the page, as text
        carol.await(
                "the replay loaded",
                Duration.ofSeconds(30),
                d -> d.findElement(By.id("play")).isEnabled());
        new org.openqa.selenium.support.ui.Select(carol.find("#speed")).selectByValue("16");
        carol.find("#play").click();
        carol.await(
                "the output replayed",
                Duration.ofSeconds(30),
                d -> d.findElement(By.id("position")).getText().endsWith("(end)"));
        String screen = String.valueOf(carol.script("return document.getElementById('screen').textContent;"));
        assertTrue(screen.contains(SSH_OUTPUT), screen);
        assertEquals(0L, carol.script("return document.querySelectorAll('#screen *').length;"), "markup in replay");
        tour(carol, "replay", Browser.TOUR_HEIGHT, false, "replay");

        // at phone width the page does not scroll sideways
        carol.driver().manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        carol.open(console + "/sessions?agent=" + AGENT);
        assertEquals(
                Boolean.TRUE,
                carol.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
                "the Sessions page is wider than a phone");
        carol.close();
        browsers.remove(carol);
    }

    // ------------------------------------------------------------------------------ 8

    @Test
    @Order(8)
    void bobApprovesAndDeniesAccessRequestsInThePageAndAForgedPostChangesNothing() {
        Checks.requireStep(bob != null, 1);
        String agentToken = keycloak.agent(AGENT, agentSecret);
        String reason = "incident 42 <img src=x onerror=\"document.title='pwned'\"><b>now</b>";
        String approved = broker.requestAccess(agentToken, PROD, "read", "PT30M", reason)
                .expect(201)
                .json()
                .path("id")
                .asText();
        String denied = broker.requestAccess(agentToken, PROD, "admin", "PT1H", "just because")
                .expect(201)
                .json()
                .path("id")
                .asText();

        bob.open(console + "/access-requests");
        String title = bob.driver().getTitle();
        WebElement item = bob.await(
                "request " + approved + " on bob's page",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("li[data-request-id='" + approved + "']"))));
        assertEquals(reason, field(item, "reason"));
        assertEquals("30 min", field(item, "duration"));
        assertEquals("env=prod", field(item, "tags"));
        assertTrue(field(item, "approvals").startsWith("0 of 2 approvals"), field(item, "approvals"));
        assertEquals(
                0L, bob.script("return document.querySelectorAll('#access-requests img, #access-requests b').length;"));
        assertEquals(title, bob.driver().getTitle(), "a script of the reason ran");
        bob.await(
                "request " + denied + " on bob's page",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("li[data-request-id='" + denied + "']"))));
        tour(bob, "access-requests");

        // without or with a forged CSRF token: refused, and the request has no approval
        for (String header : List.of("", "forged-token")) {
            Object status = bob.asyncScript("""
                    const done = arguments[arguments.length - 1];
                    const headers = {'Content-Type': 'application/json'};
                    if (arguments[1]) { headers['X-CSRF-Token'] = arguments[1]; }
                    fetch(arguments[0], {method: 'POST', credentials: 'same-origin', headers: headers,
                        body: '{}'}).then(r => done(r.status), e => done(String(e)));
                    """, "/api/access-requests/" + approved + "/approve", header);
            assertEquals(403L, status, "approve with CSRF token '" + header + "'");
        }
        JsonNode untouched = Http.get(
                        suite.brokerUrl() + "/v1/access-requests/" + approved, keycloak.user(Keycloak.APPROVER))
                .expect(200)
                .json();
        assertEquals("pending", untouched.path("status").asText(), untouched::toString);
        assertEquals(0, untouched.path("approvals").size(), untouched::toString);

        item.findElement(By.cssSelector("textarea")).sendKeys("ok for the incident");
        item.findElement(By.cssSelector("button.approve")).click();
        bob.await(
                "bob's approval",
                Duration.ofSeconds(15),
                d -> item.findElement(By.cssSelector(".outcome")).getText().equals("Approved: request pending"));
        JsonNode once = Http.get(
                        suite.brokerUrl() + "/v1/access-requests/" + approved, keycloak.user(Keycloak.APPROVER))
                .expect(200)
                .json();
        assertEquals(1, once.path("approvals").size(), once::toString);
        assertEquals(
                Keycloak.APPROVER,
                once.path("approvals").get(0).path("approver").asText(),
                once::toString);

        WebElement other = bob.find("li[data-request-id='" + denied + "']");
        other.findElement(By.cssSelector("button.deny")).click();
        bob.await(
                "bob's denial",
                Duration.ofSeconds(15),
                d -> other.findElement(By.cssSelector(".outcome")).getText().equals("Denied: request denied"));
        assertEquals(
                "denied",
                Http.get(suite.brokerUrl() + "/v1/access-requests/" + denied, keycloak.user(Keycloak.APPROVER))
                        .expect(200)
                        .json()
                        .path("status")
                        .asText());
    }

    // ------------------------------------------------------------------------------ 9

    @Test
    @Order(9)
    void aliceCreatesAnAgentSeesItsSecretOnceGrantsAndRevokesItsAccessAndDisablingItCutsItsOpenSession()
            throws Exception {
        Checks.requireStep(bob != null, 1); // bob tries to revoke a grant
        String name = "console-made-" + Long.toString(System.nanoTime() % 1_000_000L, 36);
        Browser alice = browser("alice");
        alice.open(console + "/agents");
        alice.signIn(suite.keycloakUrl(), Keycloak.ADMIN, Keycloak.DEV_PASSWORDS.get(Keycloak.ADMIN));
        alice.await("the Agents page", Duration.ofSeconds(30), d -> first(d.findElements(By.id("create-agent"))));

        // a change without the CSRF token is refused and creates nothing
        Object forged = alice.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/api/agents', {method: 'POST', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({name: arguments[0], team: 'x'})}).then(r => done(r.status), e => done(String(e)));
                """, name);
        assertEquals(403L, forged);
        assertEquals(
                404,
                Http.get(suite.brokerUrl() + "/v1/agents/" + name, keycloak.user(Keycloak.ADMIN))
                        .status());

        alice.find("#create-agent input[name='name']").sendKeys(name);
        alice.find("#create-agent input[name='team']").sendKeys("<b>console</b>");
        alice.find("#create-agent button[type='submit']").click();
        String secret = alice.await("the secret, shown once", Duration.ofSeconds(30), d -> {
            String v = d.findElement(By.id("secret")).getDomProperty("value");
            return v == null || v.isEmpty() ? null : v;
        });
        assertEquals(name, alice.find("#secret-agent").getText());
        String agentToken = keycloak.agent(name, secret); // the secret works
        alice.find("#hide-secret").click();
        assertEquals("", alice.find("#secret").getDomProperty("value"), "the secret leaves the page");
        Checks.assertNoJwt(String.valueOf(alice.script("return document.documentElement.outerHTML")), "the page");

        grantAndRevokeInThePage(alice, name, agentToken);

        // an open session of the new agent, then disable it in the page (with the confirmation); the revocation above
        // cut off this agent's tokens on PROD minted up to its second: this one is minted a second later
        Checks.sleepPastThisSecond();
        broker.grant(name, PROD, "read");
        String token = broker.sessionToken(agentToken, PROD, "read");
        Checks.sleepPastThisSecond();
        try (Connection open = ProxyJdbc.connect(suite.proxyPgPort(), PROD, name, token);
                Statement st = open.createStatement()) {
            st.executeQuery("SELECT 1").close();
            alice.open(console + "/agents/" + name);
            assertEquals("enabled", alice.find("#agent-state").getText());
            assertTrue(
                    alice.find("#grants").getText().contains(PROD),
                    alice.find("#grants").getText());
            alice.find("#disable").click();
            alice.await(
                            "the confirmation",
                            Duration.ofSeconds(10),
                            d -> d.switchTo().alert())
                    .accept();
            alice.await(
                    "the agent disabled",
                    Duration.ofSeconds(15),
                    d -> "disabled".equals(d.findElement(By.id("agent-state")).getText()));
            SQLException cut = Poll.until("the open session to be cut", Duration.ofSeconds(15), () -> {
                try {
                    st.executeQuery("SELECT 1").close();
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            assertEquals("57P01", cut.getSQLState(), cut::toString);
        }
        assertFalse(Http.get(suite.brokerUrl() + "/v1/agents/" + name, keycloak.user(Keycloak.ADMIN))
                .expect(200)
                .json()
                .path("enabled")
                .asBoolean(true));
        alice.close();
        browsers.remove(alice);
    }

    /**
     * Step 9's grants: a forged grant and a refused one change nothing, a grant made in the page is active at the
     * broker, a forged revoke and an approver's revoke change nothing, the admin's revoke in the page ends it and cuts
     * the agent's open session on that connection.
     */
    private void grantAndRevokeInThePage(Browser alice, String name, String agentToken) throws Exception {
        alice.open(console + "/agents/" + name);
        alice.await("the grant form", Duration.ofSeconds(30), d -> first(d.findElements(By.id("grant-form"))));
        assertFalse(alice.driver().findElements(By.id("no-grants")).isEmpty(), "a new agent has no grants");

        // without the CSRF token: refused by the console, nothing granted
        @SuppressWarnings("unchecked")
        Map<String, Object> forged =
                (Map<String, Object>) alice.asyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {method: 'POST', credentials: 'same-origin',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({connection: arguments[1], access: 'write', duration: 'PT1H'})})
                  .then(async r => done({status: r.status, body: await r.text()}), e => done({status: String(e)}));
                """, "/api/agents/" + name + "/grants", PROD);
        assertEquals(403L, forged.get("status"), forged::toString);
        assertTrue(String.valueOf(forged.get("body")).contains("CSRF token"), forged::toString);
        assertEquals(0, brokerGrants(name).size(), "a grant without the CSRF token");

        // the broker's refusal, shown as text: an end in the past
        new Select(alice.find("#grant-connection")).selectByValue(PROD);
        new Select(alice.find("#grant-access")).selectByValue("write");
        alice.script("document.getElementById('grant-expires-at').value = arguments[0];", "2020-01-01T00:00");
        alice.find("#grant-submit").click();
        String refusal = alice.await("the broker's refusal", Duration.ofSeconds(30), d -> {
            String t = d.findElement(By.id("grant-outcome")).getText();
            return t.startsWith("Refused") ? t : null;
        });
        assertEquals("Refused (422): the grant would end in the past (2020-01-01T00:00Z)", refusal);
        assertEquals(0, brokerGrants(name).size(), "a refused grant");

        // granted for an hour
        alice.script("document.getElementById('grant-expires-at').value = '';");
        alice.find("#grant-duration").sendKeys("PT1H");
        Instant asked = Instant.now();
        alice.find("#grant-submit").click();
        WebElement row = alice.await(
                "the grant in the page read again",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("#grants tbody tr"))));
        Instant shown = Instant.now();
        List<WebElement> cells = row.findElements(By.tagName("td"));
        assertEquals(PROD, cells.get(0).getText(), row.getText());
        assertEquals("write", cells.get(1).getText(), row.getText());
        assertEquals("active", field(row, "status"));
        assertEquals(1, row.findElements(By.cssSelector("button.revoke")).size(), row.getText());
        String grantId = row.getDomAttribute("data-grant-id");
        JsonNode grant = brokerGrant(name, grantId);
        assertEquals("active", grant.path("status").asText(), grant::toString);
        assertEquals(PROD, grant.path("connection").asText(), grant::toString);
        assertEquals("write", grant.path("access").asText(), grant::toString);
        assertEquals(Keycloak.ADMIN, grant.path("createdBy").asText(), grant::toString);
        Instant expires = Instant.parse(grant.path("expiresAt").asText());
        assertTrue(
                !expires.isBefore(asked.plus(Duration.ofHours(1)).minusSeconds(1))
                        && !expires.isAfter(shown.plus(Duration.ofHours(1)).plusSeconds(1)),
                "an hour from the grant: " + grant);
        tour(alice, "agent");

        // the grant works: an open session on PROD, which the revocation below cuts
        String writeToken = broker.sessionToken(agentToken, PROD, "write");
        try (Connection open = ProxyJdbc.connect(suite.proxyPgPort(), PROD, name, writeToken);
                Statement st = open.createStatement()) {
            st.executeQuery("SELECT 1").close();

            // a revoke without the CSRF token: refused by the console, the grant stays
            @SuppressWarnings("unchecked")
            Map<String, Object> forgedRevoke =
                    (Map<String, Object>) alice.asyncScript("""
                    const done = arguments[arguments.length - 1];
                    fetch(arguments[0], {method: 'POST', credentials: 'same-origin'})
                      .then(async r => done({status: r.status, body: await r.text()}), e => done({status: String(e)}));
                    """, "/api/grants/" + grantId + "/revoke");
            assertEquals(403L, forgedRevoke.get("status"), forgedRevoke::toString);
            assertTrue(String.valueOf(forgedRevoke.get("body")).contains("CSRF token"), forgedRevoke::toString);
            assertEquals("active", brokerGrant(name, grantId).path("status").asText());

            // an approver sees the grant but gets no controls, and the broker refuses his revoke (with his CSRF token)
            bob.open(console + "/agents/" + name);
            bob.await("the agent page, bob's", Duration.ofSeconds(30), d -> first(d.findElements(By.id("agent-name"))));
            assertEquals(
                    1,
                    bob.driver()
                            .findElements(By.cssSelector("#grants tr[data-grant-id='" + grantId + "']"))
                            .size());
            assertTrue(bob.driver().findElements(By.id("grant-form")).isEmpty(), "bob got the grant form");
            assertTrue(
                    bob.driver().findElements(By.cssSelector("button.revoke")).isEmpty(), "bob got Revoke");
            @SuppressWarnings("unchecked")
            Map<String, Object> bobs = (Map<String, Object>) bob.asyncScript("""
                    const done = arguments[arguments.length - 1];
                    const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute('content');
                    fetch(arguments[0], {method: 'POST', credentials: 'same-origin', headers: {'X-CSRF-Token': csrf}})
                      .then(async r => done({status: r.status, body: await r.text()}), e => done({status: String(e)}));
                    """, "/api/grants/" + grantId + "/revoke");
            assertEquals(403L, bobs.get("status"), bobs::toString);
            // the broker's refusal passed on (JSON with its status), not the console's CSRF check
            JsonNode bobsBody = Http.JSON.readTree(String.valueOf(bobs.get("body")));
            assertEquals(403, bobsBody.path("status").asInt(), bobs::toString);
            assertEquals("active", brokerGrant(name, grantId).path("status").asText());
            st.executeQuery("SELECT 1").close();

            // alice revokes it in the page, after the confirmation naming agent, access and connection
            alice.find("#grants tr[data-grant-id='" + grantId + "'] button.revoke")
                    .click();
            Alert confirm = alice.await(
                    "the confirmation",
                    Duration.ofSeconds(10),
                    d -> d.switchTo().alert());
            String question = confirm.getText();
            assertTrue(question.startsWith("Revoke " + name + "'s write on " + PROD + "?"), question);
            confirm.accept();
            alice.await(
                    "the grant revoked in the page read again",
                    Duration.ofSeconds(30),
                    d -> "revoked"
                            .equals(text(d, "#grants tr[data-grant-id='" + grantId + "'] td[data-field='status']")));
            assertTrue(
                    alice.driver()
                            .findElements(By.cssSelector("#grants button.revoke"))
                            .isEmpty(),
                    "a Revoke button on a revoked grant");
            JsonNode revoked = brokerGrant(name, grantId);
            assertEquals("revoked", revoked.path("status").asText(), revoked::toString);
            assertEquals(Keycloak.ADMIN, revoked.path("endedBy").asText(), revoked::toString);
            SQLException cut =
                    Poll.until("the open session to be cut by the revocation", Duration.ofSeconds(15), () -> {
                        try {
                            st.executeQuery("SELECT 1").close();
                            return null;
                        } catch (SQLException e) {
                            return e;
                        }
                    });
            assertEquals("57P01", cut.getSQLState(), cut::toString);
        }
    }

    /** The agent's grants as identity-broker lists them to an admin. */
    private JsonNode brokerGrants(String agent) {
        return Http.get(suite.brokerUrl() + "/v1/agents/" + agent + "/grants", keycloak.user(Keycloak.ADMIN))
                .expect(200)
                .json();
    }

    private JsonNode brokerGrant(String agent, String id) {
        for (JsonNode g : brokerGrants(agent)) {
            if (id.equals(g.path("id").asText())) {
                return g;
            }
        }
        throw new AssertionError("identity-broker lists no grant " + id + " of " + agent);
    }

    // ------------------------------------------------------------------------------ 10

    @Test
    @Order(10)
    void aPolicyThatDoesNotCompileIsRefusedWithItsErrorsAndNothingIsStored() {
        Browser alice = browser("alice-policies");
        alice.open(console + "/policies");
        alice.signIn(suite.keycloakUrl(), Keycloak.ADMIN, Keycloak.DEV_PASSWORDS.get(Keycloak.ADMIN));
        alice.await(
                "the Policies page",
                Duration.ofSeconds(30),
                d -> first(d.findElements(By.cssSelector("tr[data-policy-id='" + POLICY + "']"))));
        alice.open(console + "/policies/" + POLICY);
        String version = alice.find("#policy-version").getText();
        String document = alice.find("#document").getDomProperty("value");
        assertTrue(document.startsWith("# Default policy pack: PostgreSQL"), "the document's own text: " + document);
        // a misspelt variable in the first rule's condition
        String broken = document.replaceFirst(Pattern.quote("size(statements) == 0"), "size(statement) == 0");
        assertNotEquals(document, broken, "the default pack changed: pick another edit");
        alice.script("document.getElementById('document').value = arguments[0];", broken);
        alice.find("#save").click();
        String outcome = alice.await("the refusal", Duration.ofSeconds(30), d -> {
            String t = d.findElement(By.id("save-outcome")).getText();
            return t.startsWith("Not saved") ? t : null;
        });
        List<WebElement> errors = alice.driver().findElements(By.cssSelector("#compile-errors li"));
        assertTrue(outcome.startsWith("Not saved (400): policy " + POLICY + " does not compile"), outcome);
        assertEquals(1, errors.size(), outcome);
        assertTrue(
                errors.get(0).getText().contains("pg-read-access-is-read-only: undeclared reference to 'statement'"),
                errors.get(0).getText());
        // at the document's line:col of the misspelt name (the rule's condition is a folded block)
        int at = broken.indexOf("size(statement) == 0") + "size(".length();
        long lineNo = broken.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        int col = at - (broken.lastIndexOf('\n', at - 1) + 1) + 1;
        assertTrue(
                errors.get(0).getText().contains("line " + lineNo + ":" + col),
                errors.get(0).getText());
        tour(alice, "policy", Browser.TOUR_HEIGHT, false, "save");

        // nothing stored: the same version and text
        alice.open(console + "/policies/" + POLICY);
        assertEquals(version, alice.find("#policy-version").getText());
        assertEquals(document, alice.find("#document").getDomProperty("value"));
        alice.close();
        browsers.remove(alice);
    }

    // ------------------------------------------------------------------------------ 11

    @Test
    @Order(11)
    void signingOutEndsTheKeycloakSession() {
        Checks.requireStep(bob != null, 1);
        bob.open(console + "/reviews");
        bob.await(
                "the Reviews page",
                Duration.ofSeconds(30),
                d -> !d.findElements(By.id("sign-out")).isEmpty());
        // another site's page links to the logout path (a GET in Quarkus OIDC): refused, bob stays signed in
        bob.driver().get("data:text/html,<a id=away href='" + console + "/logout'>a page elsewhere</a>");
        bob.find("#away").click();
        bob.await(
                "the console's refusal of a cross-site sign-out",
                Duration.ofSeconds(30),
                d -> d.getPageSource().contains("Sign out from the console's own page."));
        assertFalse(bob.sessionCookies().isEmpty(), "bob's session is still there");
        bob.open(console + "/reviews");
        bob.await(
                "the Reviews page, still signed in",
                Duration.ofSeconds(30),
                d -> !d.findElements(By.id("sign-out")).isEmpty());
        assertEquals(Keycloak.APPROVER, bob.find("#user").getText());

        bob.find("#sign-out").click();
        bob.await(
                "the signed-out page",
                Duration.ofSeconds(30),
                d -> d.getCurrentUrl().startsWith(console + "/signed-out.html"));
        assertEquals(List.of(), bob.sessionCookies(), "the session cookies are gone");
        bob.open(console + "/reviews");
        // Keycloak asks for the password again: its session ended too (no silent sign-in)
        bob.await(
                "Keycloak's login form",
                Duration.ofSeconds(30),
                d -> d.getCurrentUrl().startsWith(suite.keycloakUrl())
                        && !d.findElements(By.id("password")).isEmpty());
    }

    // ------------------------------------------------------------------------------ helpers

    private Browser browser(String name) {
        Browser b = Browser.start(name);
        browsers.add(b);
        return b;
    }

    private String writeToken() {
        return broker.sessionToken(keycloak.agent(AGENT, agentSecret), PROD, "write");
    }

    private static String reviewId(Client held) {
        String notice = held.awaitStderr(
                e -> JourneyIT.REVIEW_NOTICE.matcher(e).find(), Duration.ofSeconds(60), "the review notice");
        Matcher m = JourneyIT.REVIEW_NOTICE.matcher(notice);
        assertTrue(m.find(), notice);
        return m.group(1);
    }

    private static String field(WebElement item, String name) {
        return item.findElement(By.cssSelector("[data-field='" + name + "']")).getText();
    }

    /** The text of the first element {@code css} finds, or null: none yet, or the page was replaced meanwhile. */
    private static String text(WebDriver d, String css) {
        try {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() ? null : found.get(0).getText();
        } catch (StaleElementReferenceException e) {
            return null;
        }
    }

    /** The page at laptop size (1280 × 800), for the README: target/console-screenshots/tour-{page}.png. */
    private static void tour(Browser b, String page) {
        tour(b, page, Browser.TOUR_HEIGHT, false, null);
    }

    private static void tour(Browser b, String page, int height, boolean fullPage, String scrollTo) {
        System.out.println("ConsoleIT: tour screenshot " + b.tour(SCREENSHOTS, page, height, fullPage, scrollTo));
    }

    private static WebElement first(List<WebElement> elements) {
        return elements.isEmpty() ? null : elements.get(0);
    }

    private void seed(int rows) throws SQLException {
        try (Connection c = suite.prodDatabase();
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM " + TABLE);
            s.execute("INSERT INTO " + TABLE + " (note) SELECT NULL FROM generate_series(1, " + rows + ")");
        }
    }

    private int count() throws SQLException {
        return countWhere("true");
    }

    private int countWhere(String condition) throws SQLException {
        try (Connection c = suite.prodDatabase();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + TABLE + " WHERE " + condition)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
