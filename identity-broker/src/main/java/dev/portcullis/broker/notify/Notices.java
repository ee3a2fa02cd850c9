package dev.portcullis.broker.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The webhook's texts for a new review and a new access request, with a link to the console page that decides it
 * when the console's URL is configured. The link is made of that URL and a fixed path only, never of anything an
 * agent or a request chose; what they chose (agent names, connection, reason, the proxy's review id) is escaped for
 * Slack's mrkdwn ({@code &}, {@code <}, {@code >}), so it cannot turn into a link of its own (an agent's reason
 * {@code <https://evil.example|Approve here>} would otherwise be one).
 */
public final class Notices {

    /** The console's pages (console/README.md "Pages"). */
    static final String REVIEWS_PAGE = "/reviews";

    static final String ACCESS_REQUESTS_PAGE = "/access-requests";

    /** What a console path may hold: no character Slack or a chat client could read as markup or a boundary. */
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._~/-]*");
    /** A UUID as text: only such a review id is put in a link's fragment. */
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Optional<String> console;

    private Notices(Optional<String> console) {
        this.console = console;
    }

    /**
     * @param consoleUrl the console's base URL, {@code portcullis.console.url}; empty or blank: no links
     * @throws IllegalArgumentException when it is no absolute http(s) URL of a host, or has user info, a query, a
     *     fragment or unusual characters in its path (the broker then does not start)
     */
    public static Notices of(Optional<String> consoleUrl) {
        return new Notices(consoleUrl.filter(s -> !s.isBlank()).map(Notices::base));
    }

    private static String base(String url) {
        URI u;
        try {
            u = new URI(url.trim());
        } catch (URISyntaxException e) {
            // the value is not echoed: it could hold credentials
            throw new IllegalArgumentException("portcullis.console.url is not a URL (" + e.getReason() + ")");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("portcullis.console.url must be an absolute http or https URL");
        }
        if (u.getHost() == null || u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("portcullis.console.url must name a host and no user info");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("portcullis.console.url must have no query and no fragment");
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (!PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("portcullis.console.url's path may hold only letters, digits and ._~/-");
        }
        String s = scheme + "://" + u.getRawAuthority() + path;
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    /** The console page of pending reviews, when the console's URL is configured. */
    public Optional<String> reviewsPage() {
        return console.map(c -> c + REVIEWS_PAGE);
    }

    /** The console page of pending access requests, when the console's URL is configured. */
    public Optional<String> accessRequestsPage() {
        return console.map(c -> c + ACCESS_REQUESTS_PAGE);
    }

    /**
     * A review that session-proxy holds and that waits for approvers; the link names the review on the console's page
     * ({@code #review-<id>}) when its id is a UUID, as session-proxy's are (any other id only opens the page).
     */
    public String reviewRequested(String reviewId, String agent, String connection) {
        String anchor = reviewId != null && UUID_TEXT.matcher(reviewId).matches() ? "#review-" + reviewId : "";
        return "Review " + escape(reviewId) + ": agent " + escape(agent) + " on " + escape(connection)
                + " waits for approval"
                + reviewsPage()
                        .map(l -> ". Decide it in the console: " + l + anchor)
                        .orElse("");
    }

    /** A new just-in-time access request. */
    public String accessRequested(UUID id, String agent, String scope, Duration duration, String reason) {
        return "Access request " + id + ": " + escape(agent) + " asks for " + escape(scope) + " for " + duration
                + " (" + escape(reason) + ")"
                + accessRequestsPage()
                        .map(l -> ". Decide it in the console: " + l + "#request-" + id)
                        .orElse("");
    }

    /** Slack's mrkdwn escaping of text that is not ours: the three characters it reads as markup. */
    static String escape(String s) {
        if (s == null) {
            return "null";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
