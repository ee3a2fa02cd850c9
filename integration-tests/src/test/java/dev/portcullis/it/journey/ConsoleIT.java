package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
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
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;

/**
 * The web console (issue 17) in a real headless Chromium against the packaged suite and the real Keycloak login page:
 * {@code bob-approver} signs in, a {@code DELETE} that psql holds appears on his Reviews page without a reload, he and
 * {@code dave-approver} (prod needs two) approve it there and psql completes; a statement holding markup is shown as
 * text; a POST without the CSRF token is refused and the review stays pending; an agent's token and an unauthenticated
 * caller get nothing; every answer carries the strict Content-Security-Policy; signing out ends the Keycloak session.
 *
 * <p>The hold-to-screen latency is measured from the hold's own time (the review's {@code expires_at} less
 * session-proxy's review timeout) to the moment the page put the review in the DOM, and printed.
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

    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

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
            assertTrue(field(item, "approvals").startsWith("0 of 2 approvals"), field(item, "approvals"));
            assertTrue(field(item, "time-left").contains("min"), field(item, "time-left"));

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
        Client held = Psql.start(suite.proxyPgPort(), PROD, AGENT, writeToken(), sql);
        try {
            String reviewId = reviewId(held);
            WebElement item = bob.await(
                    "review " + reviewId + " on bob's page",
                    Duration.ofSeconds(15),
                    d -> first(d.findElements(By.cssSelector("li[data-review-id='" + reviewId + "']"))));
            // the markup is text: shown literally, and no element was made of it
            assertEquals(sql, field(item, "statement"));
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
        for (String path :
                List.of("/reviews", "/api/reviews", "/js/reviews.js", "/css/console.css", "/signed-out.html")) {
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

        WebElement markup = sealedTimeline(carol, markupSession);
        assertTrue(markup.getText().contains("<img src=x onerror="), markup.getText());
        assertTrue(markup.getText().contains("state=denied"), markup.getText());
        assertEquals(
                0L,
                carol.script(
                        "return document.querySelectorAll('#timeline img, #timeline script, #timeline b').length;"));
        carol.close();
        browsers.remove(carol);
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
    void signingOutEndsTheKeycloakSession() {
        Checks.requireStep(bob != null, 1);
        bob.open(console + "/reviews");
        bob.await(
                "the Reviews page",
                Duration.ofSeconds(30),
                d -> !d.findElements(By.id("sign-out")).isEmpty());
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
