package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SessionQueryTest {

    @Test
    void theFormsLocalTimesAreReadAsUtcAndTimesWithAnOffsetAsTheyAre() {
        SessionQuery q = SessionQuery.of(
                " bot-1 ",
                "pg-prod",
                "ssh",
                "complete",
                "2026-12-05T13:00",
                "2026-12-05T15:30:00+01:00",
                "true",
                "false",
                2);
        assertTrue(q.valid(), q.errors().toString());
        assertEquals("bot-1", q.agent());
        assertEquals("2026-12-05T13:00Z", q.fromInstant());
        assertEquals("2026-12-05T15:30+01:00", q.toInstant());
        assertEquals(3, q.pageNumber());
        assertEquals("true", q.denied());
        assertEquals("false", q.reviewed());
        SessionQuery none = SessionQuery.of(null, null, null, null, null, null, null, null, 0);
        assertTrue(none.valid());
        assertEquals("", none.fromInstant());
        assertEquals("", none.denied());
        assertEquals("", none.reviewed());
        assertEquals("/sessions?page=0", none.href(0));
    }

    @Test
    void whatTheRecorderWouldRefuseIsNamedAndNotSent() {
        SessionQuery q = SessionQuery.of(
                "a".repeat(201), "pg\u0000x", "telnet", "open", "yesterday", "13:00", "yes", "TRUE", -1);
        assertFalse(q.valid());
        assertEquals(
                List.of(
                        "agent: at most 200 characters",
                        "connection: no control characters",
                        "protocol: must be one of http, kubernetes, postgres, ssh",
                        "status: must be one of complete, incomplete, recording",
                        "from: a date and time such as 2026-12-05T13:00 (UTC)",
                        "to: a date and time such as 2026-12-05T13:00 (UTC)",
                        "denied: must be true (with denials), false (without denials) or empty (any)",
                        "reviewed: must be true (with reviews), false (without reviews) or empty (any)",
                        "page: must be 0 or more"),
                q.errors());
        assertEquals(0, q.page());
    }

    @Test
    void aPageLinkKeepsEveryFilterEncoded() {
        SessionQuery q = SessionQuery.of("bot 1&x=<y>", "", "postgres", "", "2026-12-05T13:00", "", "false", "true", 0);
        assertEquals(
                "/sessions?page=1&agent=bot+1%26x%3D%3Cy%3E&protocol=postgres&from=2026-12-05T13%3A00&denied=false"
                        + "&reviewed=true",
                q.href(1));
    }

    @Test
    void theDenialAndReviewFiltersTakeExactlyTrueFalseOrNothing() {
        for (String v : List.of("true", "false", " true ", "")) {
            SessionQuery q = SessionQuery.of("", "", "", "", "", "", v, v, 0);
            assertTrue(q.valid(), v + ": " + q.errors());
            assertEquals(v.strip(), q.denied());
            assertEquals(v.strip(), q.reviewed());
        }
        for (String v : List.of("yes", "no", "1", "0", "TRUE", "False", "t", "with", "true&agent=x", "<b>")) {
            SessionQuery denied = SessionQuery.of("", "", "", "", "", "", v, "", 0);
            assertEquals(
                    List.of("denied: must be true (with denials), false (without denials) or empty (any)"),
                    denied.errors(),
                    v);
            SessionQuery reviewed = SessionQuery.of("", "", "", "", "", "", "", v, 0);
            assertEquals(
                    List.of("reviewed: must be true (with reviews), false (without reviews) or empty (any)"),
                    reviewed.errors(),
                    v);
        }
        // what the form offers is what the query accepts
        for (SessionQuery.Choice c : SessionQuery.DENIALS) {
            assertTrue(SessionQuery.of("", "", "", "", "", "", c.value(), "", 0).valid(), c.toString());
        }
        for (SessionQuery.Choice c : SessionQuery.REVIEWS) {
            assertTrue(SessionQuery.of("", "", "", "", "", "", "", c.value(), 0).valid(), c.toString());
        }
    }
}
