package dev.portcullis.console.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Signing out is a state change: only the console's own page (or a typed URL) may start it. */
class HttpEdgeTest {

    @Test
    void anotherSitesLinkOrRedirectToTheLogoutPathIsRefused() {
        for (String site : new String[] {"cross-site", "same-site", "CROSS-SITE", "", "something-new"}) {
            assertTrue(HttpEdge.crossSiteSignOut("/logout", site), site);
        }
        assertFalse(HttpEdge.crossSiteSignOut("/logout", "same-origin"), "the console's own Sign out link");
        assertFalse(HttpEdge.crossSiteSignOut("/logout", "none"), "a typed URL or a bookmark");
        assertFalse(HttpEdge.crossSiteSignOut("/logout", null), "no Fetch Metadata: not a browser that sends them");
        // nothing else is refused for where it came from (the CSRF token guards every state-changing route)
        assertFalse(HttpEdge.crossSiteSignOut("/reviews", "cross-site"));
        assertFalse(HttpEdge.crossSiteSignOut("/logout/x", "cross-site"));
    }

    /** The path the guard knows is the one Quarkus OIDC signs out at. */
    @Test
    void theGuardedPathIsOidcsLogoutPath() throws IOException {
        Properties p = new Properties();
        try (InputStream in = HttpEdgeTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        assertEquals(HttpEdge.LOGOUT_PATH, p.getProperty("quarkus.oidc.logout.path"));
    }
}
