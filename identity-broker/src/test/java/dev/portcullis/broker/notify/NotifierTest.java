package dev.portcullis.broker.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook's message of a new review and of a new access request links to the console page that decides it when
 * the console's URL is configured, and to nothing else: the link is the configured URL and a fixed path, what the
 * request chose is escaped so it cannot make a link of its own, and without the URL the message is as before.
 */
class NotifierTest {

    private static final UUID REQUEST = UUID.fromString("0b3c2f43-5d0e-4c39-9f4e-6d0a2f9e7d11");
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private Vertx vertx;
    private HttpServer webhook;
    private final List<String> posted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        vertx = Vertx.vertx();
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void stop() {
        webhook.stop(0);
        vertx.closeAndAwait();
    }

    private Optional<String> hook() {
        return Optional.of("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
    }

    private String onlyText() {
        assertEquals(1, posted.size(), "one webhook call: " + posted);
        JsonObject body = new JsonObject(posted.get(0));
        assertEquals(List.of("text"), List.copyOf(body.fieldNames()), body.encode());
        return body.getString("text");
    }

    @Test
    void aNewReviewLinksToItselfOnTheConsolesReviewsPage() {
        String id = "0f8fad5b-d9cb-469f-a165-70867728950e";
        new Notifier(hook(), Optional.of("https://console.example.com"), vertx)
                .reviewRequested(id, "demo-agent", "pg-prod")
                .await()
                .atMost(AWAIT);
        assertEquals(
                "Review " + id + ": agent demo-agent on pg-prod waits for approval."
                        + " Decide it in the console: https://console.example.com/reviews#review-" + id,
                onlyText());
    }

    /** Only a UUID goes into the link's fragment; any other review id (a fallback event id) opens the page. */
    @Test
    void aReviewIdThatIsNoUuidOnlyOpensTheReviewsPage() {
        Notices n = Notices.of(Optional.of("https://console.example.com"));
        for (String id : new String[] {"rv-1", "x#y", "0f8fad5b-d9cb-469f-a165-70867728950e/../admin", " ", ""}) {
            assertTrue(
                    n.reviewRequested(id, "a", "c")
                            .endsWith("Decide it in the console: https://console.example.com/reviews"),
                    () -> n.reviewRequested(id, "a", "c"));
        }
        assertTrue(n.reviewRequested(null, "a", "c").endsWith("/reviews"));
    }

    @Test
    void aNewAccessRequestLinksToTheConsolesAccessRequestsPage() {
        new Notifier(hook(), Optional.of("https://console.example.com/portcullis/"), vertx)
                .accessRequested(REQUEST, "demo-agent", "conn:pg-prod:write", Duration.ofMinutes(30), "fix ticket 42")
                .await()
                .atMost(AWAIT);
        assertEquals(
                "Access request " + REQUEST + ": demo-agent asks for conn:pg-prod:write for PT30M (fix ticket 42)."
                        + " Decide it in the console: https://console.example.com/portcullis/access-requests#request-"
                        + REQUEST,
                onlyText());
    }

    @Test
    void withoutTheConsolesUrlTheMessagesCarryNoLink() {
        Notifier n = new Notifier(hook(), Optional.empty(), vertx);
        n.reviewRequested("rv-1", "demo-agent", "pg-prod").await().atMost(AWAIT);
        assertEquals("Review rv-1: agent demo-agent on pg-prod waits for approval", onlyText());
        posted.clear();
        n.accessRequested(REQUEST, "demo-agent", "conn:pg-prod:write", Duration.ofMinutes(30), "fix")
                .await()
                .atMost(AWAIT);
        assertEquals(
                "Access request " + REQUEST + ": demo-agent asks for conn:pg-prod:write for PT30M (fix)", onlyText());
        // a blank setting (an empty env variable) is no setting
        assertEquals(Optional.empty(), Notices.of(Optional.of("  ")).reviewsPage());
    }

    /** What the agent or the proxy chose is text: Slack's markup characters are escaped, the one link is ours. */
    @Test
    void linksAndMarkupInTheRequestAreEscaped() {
        String reason = "<https://evil.example/approve|Approve in the console> & <!channel>";
        new Notifier(hook(), Optional.of("https://console.example.com"), vertx)
                .accessRequested(REQUEST, "a<b>&c", "conn:pg-prod:write", Duration.ofMinutes(5), reason)
                .await()
                .atMost(AWAIT);
        String text = onlyText();
        assertEquals(
                "Access request " + REQUEST + ": a&lt;b&gt;&amp;c asks for conn:pg-prod:write for PT5M"
                        + " (&lt;https://evil.example/approve|Approve in the console&gt; &amp; &lt;!channel&gt;)."
                        + " Decide it in the console: https://console.example.com/access-requests#request-" + REQUEST,
                text);
        assertFalse(text.contains("<"), text);
        assertFalse(text.contains(">"), text);
        // a review id comes from session-proxy's event: escaped too
        assertEquals(
                "Review &lt;x|y&gt;: agent a on c waits for approval",
                Notices.of(Optional.empty()).reviewRequested("<x|y>", "a", "c"));
    }

    @Test
    void aConsoleUrlThatIsNoPlainHttpUrlStopsTheBroker() {
        for (String bad : List.of(
                "console.example.com",
                "/reviews",
                "javascript:alert(1)",
                "ftp://console.example.com",
                "https://user:secret@console.example.com",
                "https://console.example.com/?next=https://evil.example",
                "https://console.example.com/#x",
                "https://console.example.com/a b",
                "https://console.example.com/a|b",
                "https://console.example.com/a>b",
                "https://console.example.com/%3E",
                "https:///reviews")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Notices.of(Optional.of(bad)), bad);
            assertTrue(e.getMessage().startsWith("portcullis.console.url"), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), "the value is not echoed: " + e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new Notifier(hook(), Optional.of(bad), vertx),
                    "the Notifier refuses it too: " + bad);
        }
        assertEquals(
                Optional.of("http://127.0.0.1:8080/reviews"),
                Notices.of(Optional.of("http://127.0.0.1:8080")).reviewsPage());
        assertTrue(posted.isEmpty(), "nothing was sent: " + posted);
    }

    @Test
    void withoutAWebhookNothingIsSent() {
        new Notifier(Optional.empty(), Optional.of("https://console.example.com"), vertx)
                .reviewRequested("rv-1", "demo-agent", "pg-prod")
                .await()
                .atMost(AWAIT);
        assertTrue(posted.isEmpty(), posted.toString());
    }
}
