package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.service.AccessRequestViews;
import dev.portcullis.console.service.AgentViews;
import dev.portcullis.console.service.ConnectionViews;
import dev.portcullis.console.service.DecisionQuery;
import dev.portcullis.console.service.DecisionViews;
import dev.portcullis.console.service.GrantRequest;
import dev.portcullis.console.service.LineDiff;
import dev.portcullis.console.service.PolicyViews;
import dev.portcullis.console.service.SessionQuery;
import dev.portcullis.console.service.SessionViews;
import dev.portcullis.contracts.events.EventTypes;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.qute.TemplateLocator;
import io.quarkus.qute.ValueResolvers;
import io.quarkus.qute.Variant;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every page template rendered the way Quarkus renders it (HTML escaping, strict rendering) with attacker-controlled
 * text in every field an agent or a user can choose: the markup comes out as text, and no page holds inline script,
 * inline style or an event-handler attribute (the Content-Security-Policy would block them; the pages do not need
 * them).
 */
class PagesRenderTest {

    /** An XSS corpus: markup, an attribute break-out, a script, a template expression. */
    private static final String XSS = "<img src=x onerror=alert(1)>\"'><script>alert(2)</script>{viewer.csrf}";

    private static final Viewer VIEWER = new Viewer("carol" + XSS, true, true, true, "csrf-token-value");

    private final Engine engine = Engine.builder()
            .addDefaults()
            // Quarkus registers the raw/safe resolver too (Engine.addDefaults does not): {x.raw} is x unescaped there,
            // whatever x's own accessors, so a field named raw or safe can never be read from a template
            .addValueResolver(ValueResolvers.rawResolver())
            .addValueResolver(new ReflectionValueResolver())
            .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML)))
            .strictRendering(true)
            .addLocator(PagesRenderTest::locate)
            .build();

    @Test
    void theSessionsPageEscapesEveryRowAndExplainsARefusedSearch() {
        SessionViews.Row row = new SessionViews.Row("s-1", XSS, XSS, "ssh", "2026-12-05T13:00Z", "complete", 3, 2, 1);
        SessionQuery q = SessionQuery.of(XSS, "", "ssh", "", "", "", "", "", 0);
        String html = render(sessionsPage(SessionQuery.of("bot", "", "ssh", "", "", "", "true", "false", 0))
                .data("listing", new SessionViews.Listing(200, "", List.of(row), 51))
                .data("newer", null)
                .data("older", "/sessions?page=1&agent=bot&denied=true&reviewed=false"));
        assertInert(html);
        assertTrue(html.contains("<tr data-session-id=\"s-1\">"), html);
        assertTrue(html.contains("<option value=\"ssh\" selected>ssh</option>"), html);
        assertTrue(html.contains("href=\"/sessions?page=1&amp;agent=bot&amp;denied=true&amp;reviewed=false\""), html);
        // the row's requests, denials and reviews
        assertTrue(html.contains("<td>complete</td><td>3</td><td>2</td><td>1</td>"), html);
        // the two filters: labelled selects, what is searched selected
        assertTrue(html.contains("<label>Denials\n        <select name=\"denied\">"), html);
        assertTrue(html.contains("<label>Reviews\n        <select name=\"reviewed\">"), html);
        assertTrue(html.contains("<option value=\"true\" selected>with denials</option>"), html);
        assertTrue(html.contains("<option value=\"false\">without denials</option>"), html);
        assertTrue(html.contains("<option value=\"true\">with reviews</option>"), html);
        assertTrue(html.contains("<option value=\"false\" selected>without reviews</option>"), html);
        // protocol, status, denials, reviews
        assertEquals(4, count(html, "<option value=\"\">any</option>"), html);

        // no filter: "any" is what the browser shows (the first option, none selected)
        String any = render(sessionsPage(SessionQuery.of("", "", "", "", "", "", "", "", 0))
                .data("listing", new SessionViews.Listing(200, "", List.of(), 0))
                .data("newer", null)
                .data("older", null));
        assertFalse(any.contains(" selected>"), any);

        String refused = render(sessionsPage(SessionQuery.of(XSS, "", "telnet", "", "", "", XSS, "TRUE", 0))
                .data("listing", null));
        assertInert(refused);
        assertTrue(refused.contains("protocol: must be one of http, kubernetes, postgres, ssh"), refused);
        assertTrue(
                refused.contains(
                        "<li>denied: must be true (with denials), false (without denials) or empty (any)</li>"),
                refused);
        assertTrue(
                refused.contains(
                        "<li>reviewed: must be true (with reviews), false (without reviews) or empty (any)</li>"),
                refused);
        assertFalse(refused.contains("<table"), refused);
        // a refused value selects nothing
        assertFalse(refused.contains(" selected>"), refused);
        assertTrue(q.valid());
    }

    private TemplateInstance sessionsPage(SessionQuery q) {
        return page("sessions.html")
                .data("q", q)
                .data("protocols", SessionQuery.PROTOCOLS)
                .data("statuses", SessionQuery.STATUSES)
                .data("denials", SessionQuery.DENIALS)
                .data("reviews", SessionQuery.REVIEWS);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void theSessionPageOffersVerificationDownloadAndReplayAndEscapesTheTimeline() {
        SessionViews.Row row = new SessionViews.Row("s-1", XSS, XSS, "ssh", "2026-12-05T13:00Z", "complete", 3, 1, 1);
        SessionViews.Detail detail = new SessionViews.Detail(
                200,
                row,
                "2026-12-05T13:05Z",
                "ab12",
                "cd34",
                true,
                200,
                List.of(new SessionViews.Entry(1, "t", EventTypes.SESSION_REQUEST, XSS)));
        String html = render(page("session.html").data("detail", detail));
        assertInert(html);
        assertTrue(html.contains("<meta name=\"csrf-token\" content=\"csrf-token-value\">"), html);
        assertTrue(html.contains("href=\"/api/sessions/s-1/recording?format=jsonl\""), html);
        assertTrue(html.contains("href=\"/api/sessions/s-1/recording?format=cast\""), html);
        assertTrue(html.contains("<pre id=\"screen\""), html);
        assertTrue(html.contains("<button type=\"button\" id=\"verify\" >Re-check</button>"), html);

        // still recording: nothing to verify, download or replay yet
        String open = render(page("session.html")
                .data("detail", new SessionViews.Detail(200, row, "", "", "", false, 409, List.of())));
        assertTrue(open.contains("id=\"verify\" disabled"), open);
        assertFalse(open.contains("format=jsonl"), open);
        assertFalse(open.contains("id=\"screen\""), open);

        String refused = render(page("session.html")
                .data("detail", new SessionViews.Detail(403, null, "", "", "", false, 0, List.of())));
        assertTrue(refused.contains("recorder-service answered 403: the Sessions pages are for auditors."), refused);
    }

    /** Who decided the session's reviews: every field may hold the corpus (a comment is an approver's text). */
    @Test
    void theSessionPageShowsWhoDecidedItsReviewsAsText() {
        SessionViews.Row row = new SessionViews.Row("s-1", "bot", "pg", "postgres", "t", "complete", 3, 0, 1);
        List<SessionViews.ReviewStep> steps = List.of(
                new SessionViews.ReviewStep("r-1", "t1", "bob-approver", EventTypes.REVIEW_APPROVED, XSS),
                new SessionViews.ReviewStep(XSS, XSS, XSS, XSS, XSS));
        String html = render(page("session.html")
                .data("detail", new SessionViews.Detail(200, row, "", "", "", false, 200, List.of(), 200, steps)));
        assertInert(html);
        assertTrue(
                html.contains("<tr data-review-id=\"r-1\"><td>r-1</td><td>t1</td><td data-field=\"actor\">bob-approver"
                        + "</td><td data-field=\"action\">" + EventTypes.REVIEW_APPROVED + "</td>"),
                html);
        String refused = render(page("session.html")
                .data("detail", new SessionViews.Detail(200, row, "", "", "", false, 200, List.of(), 403, List.of())));
        assertTrue(refused.contains("identity-broker answered 403 for the session's reviews"), refused);
        String none = render(page("session.html")
                .data("detail", new SessionViews.Detail(200, row, "", "", "", false, 200, List.of())));
        assertFalse(none.contains("reviews-title"), "a session without reviews has no such section");
    }

    @Test
    void theAccessRequestsPageEscapesTheAgentsReasonAndOffersDecisionsToApprovers() {
        AccessRequestViews.Request r = new AccessRequestViews.Request(
                "0b5c6a52-3b83-4a63-9a31-000000000001",
                XSS,
                "pg-prod",
                "read",
                Map.of("env", "prod"),
                "30 min",
                XSS,
                XSS,
                "c",
                "e",
                2,
                "0 of 2 approvals");
        String html = render(
                page("access-requests.html").data("listing", new AccessRequestViews.Listing(200, "", List.of(r))));
        assertInert(html);
        assertTrue(html.contains("data-decide-base=\"/api/access-requests/0b5c6a52-3b83-4a63-9a31-000000000001\""));
        assertTrue(html.contains("<dd data-field=\"tags\">env=prod</dd>"), html);
        assertTrue(html.contains("class=\"approve\""), html);

        String notApprover = render(engine.getTemplate("access-requests.html")
                .data("viewer", new Viewer("ed", false, true, false, "t"))
                .data("listing", new AccessRequestViews.Listing(200, "", List.of(r))));
        assertFalse(notApprover.contains("class=\"approve\""), notApprover);

        String refused = render(
                page("access-requests.html").data("listing", new AccessRequestViews.Listing(403, XSS, List.of())));
        assertInert(refused);
        assertTrue(refused.contains("identity-broker answered 403: access requests are for approvers and admins"));
    }

    @Test
    void theAgentsPagesEscapeWhatAnAdminTypedAndOfferChangesToAdminsOnly() {
        AgentViews.Agent a = new AgentViews.Agent("bot-1", XSS, XSS, XSS, "client_secret", true, XSS, "c");
        String list = render(page("agents.html").data("listing", new AgentViews.Listing(200, "", List.of(a))));
        assertInert(list);
        assertTrue(list.contains("<form id=\"create-agent\""), list);
        assertTrue(list.contains("<input id=\"secret\" type=\"text\" readonly"), list);

        String approverView = render(engine.getTemplate("agents.html")
                .data("viewer", new Viewer("bob", true, false, false, "t"))
                .data("listing", new AgentViews.Listing(200, "", List.of(a))));
        assertFalse(approverView.contains("create-agent"), approverView);

        AgentViews.Grant g = new AgentViews.Grant("g1", "pg-test", "read", "jit", "active", "s", "", XSS);
        String detail = render(page("agent.html")
                .data("detail", new AgentViews.Detail(200, "", a, 200, List.of(g)))
                .data("connections", List.of())
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertInert(detail);
        assertTrue(detail.contains("id=\"rotate\""), detail);
        assertTrue(detail.contains("id=\"disable\""), detail);
        assertTrue(detail.contains("<td>no end</td>"), detail);
        assertTrue(detail.contains("<p id=\"no-connections\">"), "no connections file: nothing to offer");
        assertFalse(detail.contains("id=\"grant-form\""), detail);
    }

    /** The broker's connection hints are shown as text: every field may hold the corpus (an agent chose its name). */
    @Test
    void theAgentPageShowsHowTheAgentConnectsAsText() {
        AgentViews.Agent a = new AgentViews.Agent(XSS, XSS, XSS, XSS, "client_secret", true, XSS, "c");
        AgentViews.Hint pg = new AgentViews.Hint(
                "pg-prod",
                "postgres",
                "read, write",
                List.of("psql \"host=127.0.0.1 port=15432 dbname=pg-prod user=bot-1 sslmode=prefer\"", "jdbc:x"),
                "the access_token (PGPASSWORD)");
        AgentViews.Hint hostile = new AgentViews.Hint(XSS, XSS, XSS, List.of(XSS, XSS), XSS);
        String html = render(page("agent.html")
                .data("detail", new AgentViews.Detail(200, "", a, 200, List.of(), 200, List.of(pg, hostile)))
                .data("connections", List.of())
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertInert(html);
        assertTrue(html.contains("<table id=\"hints\">"), html);
        assertTrue(
                html.contains("<code class=\"command\">psql &quot;host=127.0.0.1 port=15432 dbname=pg-prod user=bot-1"
                        + " sslmode=prefer&quot;</code><br><code class=\"command\">jdbc:x</code>"),
                html);
        assertTrue(html.contains("<td>read, write</td>"), html);

        String none = render(page("agent.html")
                .data("detail", new AgentViews.Detail(200, "", a, 200, List.of(), 200, List.of()))
                .data("connections", List.of())
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertTrue(none.contains("<p id=\"no-hints\">"), none);
        String refused = render(page("agent.html")
                .data("detail", new AgentViews.Detail(200, "", a, 200, List.of(), 403, List.of()))
                .data("connections", List.of())
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertTrue(refused.contains("identity-broker answered 403 for the connection hints."), refused);
    }

    @Test
    void theAgentPageOffersAdminsAGrantFormAndARevokeButtonPerActiveGrantAndEscapesBoth() {
        AgentViews.Agent a = new AgentViews.Agent("bot-1", XSS, XSS, XSS, "client_secret", true, XSS, "c");
        // every field of a grant as the broker answered it holds the corpus, as do the connections file's names
        AgentViews.Grant active = new AgentViews.Grant(XSS, XSS, XSS, "standing", "active", XSS, XSS, XSS);
        AgentViews.Grant revoked = new AgentViews.Grant(
                "0b5c6a52-3b83-4a63-9a31-000000000002", "pg-prod", "read", "jit", "revoked", "s", "e", "bob");
        List<ConnectionViews.Row> connections = List.of(
                new ConnectionViews.Row("pg-prod", "postgres", List.of("read", "write"), Map.of(), List.of(), ""),
                new ConnectionViews.Row(XSS, XSS, List.of(XSS), Map.of(), List.of(), ""));
        AgentViews.Detail detail = new AgentViews.Detail(200, "", a, 200, List.of(active, revoked));
        String html = render(page("agent.html")
                .data("detail", detail)
                .data("connections", connections)
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertInert(html);
        assertTrue(html.contains("<form id=\"grant-form\" class=\"form\" novalidate data-agent=\"bot-1\">"), html);
        assertTrue(
                html.contains("<option value=\"pg-prod\" data-levels=\"read write\">pg-prod (postgres: read, write)"
                        + "</option>"),
                html);
        assertTrue(
                html.contains("<option value=\"read\">read</option><option value=\"write\">write</option>"
                        + "<option value=\"admin\">admin</option>"),
                html);
        // every control has its label (the label wraps it), in the order a keyboard reaches them
        for (String control : List.of(
                "<label>Connection\n          <select id=\"grant-connection\" name=\"connection\"",
                "<label>Access\n          <select id=\"grant-access\" name=\"access\"",
                "<label>Duration <input id=\"grant-duration\" name=\"duration\"",
                "<label>Or until (UTC) <input id=\"grant-expires-at\" name=\"expiresAt\" type=\"datetime-local\"")) {
            assertTrue(html.contains(control), control);
        }
        assertTrue(html.contains("<button type=\"submit\" id=\"grant-submit\">Grant</button>"), html);
        // one Revoke button, for the active grant only; its data and label escaped
        Matcher revoke =
                Pattern.compile("<button type=\"button\" class=\"deny revoke\"").matcher(html);
        assertTrue(revoke.find(), html);
        assertFalse(revoke.find(), "a revoked grant has no Revoke button: " + html);
        assertTrue(html.contains("data-grant-id=\"&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&gt;"), html);
        assertTrue(html.contains("<th scope=\"col\">Actions</th>"), html);
        assertTrue(html.contains("<p id=\"grants-outcome\" class=\"outcome\" role=\"status\"></p>"), html);
        assertTrue(html.contains("<p id=\"grant-outcome\" class=\"outcome\" role=\"status\"></p>"), html);

        // an approver reads the grants, and is offered no change (the broker would refuse it with 403)
        String approverView = render(engine.getTemplate("agent.html")
                .data("viewer", new Viewer("bob", true, false, false, "t"))
                .data("detail", detail)
                .data("connections", connections)
                .data("accessLevels", GrantRequest.ACCESS_LEVELS));
        assertInert(approverView);
        assertTrue(approverView.contains("<table id=\"grants\">"), approverView);
        assertFalse(approverView.contains("grant-form"), approverView);
        assertFalse(approverView.contains("class=\"deny revoke\""), approverView);
        assertFalse(approverView.contains("Actions"), approverView);
        assertFalse(approverView.contains("grants-outcome"), approverView);
    }

    @Test
    void theConnectionsPageListsTagsAndAccessLevels() {
        String html = render(page("connections.html")
                .data(
                        "connections",
                        List.of(new ConnectionViews.Row(
                                "pg-prod", "postgres", List.of("read", "write"), Map.of("team", XSS), List.of(), ""))));
        assertInert(html);
        assertTrue(html.contains("<td>read, write</td>"), html);
        assertTrue(html.contains("<td>every approver</td><td>no limit</td>"), html);
    }

    @Test
    void theDecisionsPageEscapesTheRequestAndLinksOnlyRealSessionIds() {
        DecisionViews.Row linked = new DecisionViews.Row(
                "d1", "t", XSS, "pg", "s-1", true, "postgres", "deny", List.of("r1", "r2"), List.of(XSS), XSS, "v7");
        DecisionViews.Row unlinked = new DecisionViews.Row(
                "d2", "t", "a", "pg", "../logout", false, "postgres", "allow", List.of(), List.of(), "", "v7");
        String html = render(page("decisions.html")
                .data("q", DecisionQuery.of("", "", "", "deny", "", "", 0))
                .data("actions", DecisionQuery.ACTIONS)
                .data("listing", new DecisionViews.Listing(200, "", List.of(linked, unlinked), 2))
                .data("newer", null)
                .data("older", null));
        assertInert(html);
        assertTrue(html.contains("<a href=\"/sessions/s-1\">s-1</a>"), html);
        assertFalse(html.contains("href=\"/sessions/../logout\""), html);
        assertTrue(html.contains("<td>r1, r2</td>"), html);
        assertTrue(html.contains("<option value=\"deny\" selected>deny</option>"), html);
    }

    @Test
    void thePolicyPageEscapesTheDocumentAndItsDiffsAndOffersSavingToAdminsOnly() {
        PolicyViews.Row row = new PolicyViews.Row("default-ssh", 2, "t", XSS);
        PolicyViews.Change change = new PolicyViews.Change(
                9,
                "put",
                2,
                XSS,
                "t",
                List.of(new LineDiff.Line('-', XSS), new LineDiff.Line('+', "a: 2"), new LineDiff.Line(' ', "b")),
                false);
        String html = render(page("policy.html")
                .data("id", "default-ssh")
                .data("detail", new PolicyViews.Detail(200, "", row, "rules: []\n# " + XSS, 200, List.of(change))));
        assertInert(html);
        // the document's own text, escaped (not the view's toString)
        assertTrue(
                html.contains("<textarea id=\"document\" class=\"document\" spellcheck=\"false\" rows=\"24\" >"
                        + "rules: []\n# &lt;img src=x onerror=alert(1)&gt;"),
                html);
        assertTrue(html.contains("<button type=\"button\" id=\"save\">Save</button>"), html);
        assertTrue(html.contains("<span class=\"add\">+ a: 2</span>"), html);
        assertTrue(html.contains("<span class=\"del\">- &lt;img"), html);

        String auditorView = render(engine.getTemplate("policy.html")
                .data("viewer", new Viewer("carol", false, true, false, "t"))
                .data("id", "default-ssh")
                .data("detail", new PolicyViews.Detail(403, "admin required", null, "", 0, List.of())));
        assertTrue(auditorView.contains("policy-service answered 403: policies are for admins: admin required."));
        assertFalse(auditorView.contains("id=\"save\""), auditorView);

        String absent = render(page("policy.html")
                .data("id", "new-one")
                .data("detail", new PolicyViews.Detail(404, "", null, "", 0, List.of())));
        assertTrue(absent.contains("saving creates it"), absent);
        assertTrue(absent.contains("id=\"save\""), absent);

        String list = render(page("policies.html").data("listing", new PolicyViews.Listing(200, "", List.of(row))));
        assertInert(list);
        assertTrue(list.contains("<a href=\"/policies/default-ssh\">default-ssh</a>"), list);
    }

    @Test
    void theNavigationOffersEachRoleItsPages() {
        String auditor = render(engine.getTemplate("connections.html")
                .data("viewer", new Viewer("carol", false, true, false, "t"))
                .data("connections", List.of()));
        assertTrue(auditor.contains("href=\"/sessions\""));
        assertTrue(auditor.contains("href=\"/decisions\""));
        assertFalse(auditor.contains("href=\"/agents\""));
        assertFalse(auditor.contains("href=\"/policies\""));
        assertFalse(auditor.contains("href=\"/access-requests\""));
        String approver = render(engine.getTemplate("connections.html")
                .data("viewer", new Viewer("bob", true, false, false, "t"))
                .data("connections", List.of()));
        assertFalse(approver.contains("href=\"/sessions\""));
        assertTrue(approver.contains("href=\"/access-requests\""));
    }

    /**
     * The pages' scripts render what agents and policies wrote (a review's statement and its session so far, replays)
     * only as text: no script parses a string as markup or code, and the Reviews page builds its history entries with
     * {@code textContent} (an XSS string in a recorded request stays the characters it is).
     */
    @Test
    void thePageScriptsSetTextNeverMarkup() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(
                PagesRenderTest.class.getResource("/META-INF/resources/js").toURI());
        List<java.nio.file.Path> scripts;
        try (var files = java.nio.file.Files.list(dir)) {
            scripts = files.filter(f -> f.toString().endsWith(".js")).toList();
        }
        assertTrue(scripts.stream().anyMatch(f -> f.endsWith("reviews.js")), scripts.toString());
        Pattern sinks = Pattern.compile(
                "innerHTML|outerHTML|insertAdjacentHTML|document\\.write|DOMParser|createContextualFragment"
                        + "|\\beval\\(|new Function|setHTML|srcdoc");
        for (java.nio.file.Path f : scripts) {
            String js = java.nio.file.Files.readString(f);
            Matcher m = sinks.matcher(js);
            boolean found = m.find();
            assertFalse(found, f.getFileName() + ": " + (found ? m.group() : ""));
        }
        String reviews = java.nio.file.Files.readString(dir.resolve("reviews.js"));
        // the one element factory sets text only, and each history entry's parts go through it
        assertTrue(reviews.contains("e.textContent = text;"), reviews);
        assertTrue(reviews.contains("item.appendChild(el('pre', 'history-request', h.request));"), reviews);
        assertTrue(reviews.contains("item.appendChild(el('span', 'history-action', h.action || 'no decision'));"));
    }

    private TemplateInstance page(String name) {
        return engine.getTemplate(name).data("viewer", VIEWER).data("canDecide", true);
    }

    private static String render(TemplateInstance t) {
        return t.render();
    }

    /** The corpus appears only escaped; no inline script, inline style or event-handler attribute. */
    private static void assertInert(String html) {
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("\"'>"), html);
        assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&gt;&lt;script&gt;"), html);
        // the expression typed by an attacker stays text: the CSRF token is not leaked into it
        assertTrue(html.contains("{viewer.csrf}"), html);
        Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(html);
        while (scripts.find()) {
            assertTrue(scripts.group(1).matches(" src=\"/js/[a-z-]+\\.js\" defer"), scripts.group());
        }
        // in a tag, outside attribute values (escaped text has no '<' and no '"'): no style, no event handler
        String tags = html.replaceAll("\"[^\"]*\"", "\"\"");
        assertFalse(
                Pattern.compile("(?i)<style|<[^>]*\\s(style|on[a-z]+)\\s*=")
                        .matcher(tags)
                        .find(),
                html);
        assertEquals(-1, html.indexOf("javascript:"), html);
    }

    private static Optional<TemplateLocator.TemplateLocation> locate(String id) {
        String name = id.endsWith(".html") ? id : id + ".html";
        URL url = PagesRenderTest.class.getResource("/templates/" + name);
        if (url == null) {
            return Optional.empty();
        }
        return Optional.of(new TemplateLocator.TemplateLocation() {
            @Override
            public Reader read() {
                try {
                    return new InputStreamReader(url.openStream(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }

            @Override
            public Optional<Variant> getVariant() {
                return Optional.of(new Variant(Locale.ROOT, StandardCharsets.UTF_8, Variant.TEXT_HTML));
            }
        });
    }
}
