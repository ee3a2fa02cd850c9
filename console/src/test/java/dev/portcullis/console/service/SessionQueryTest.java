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
                " bot-1 ", "pg-prod", "ssh", "complete", "2026-12-05T13:00", "2026-12-05T15:30:00+01:00", 2);
        assertTrue(q.valid(), q.errors().toString());
        assertEquals("bot-1", q.agent());
        assertEquals("2026-12-05T13:00Z", q.fromInstant());
        assertEquals("2026-12-05T15:30+01:00", q.toInstant());
        assertEquals(3, q.pageNumber());
        SessionQuery none = SessionQuery.of(null, null, null, null, null, null, 0);
        assertTrue(none.valid());
        assertEquals("", none.fromInstant());
        assertEquals("/sessions?page=0", none.href(0));
    }

    @Test
    void whatTheRecorderWouldRefuseIsNamedAndNotSent() {
        SessionQuery q = SessionQuery.of("a".repeat(201), "pg\u0000x", "telnet", "open", "yesterday", "13:00", -1);
        assertFalse(q.valid());
        assertEquals(
                List.of(
                        "agent: at most 200 characters",
                        "connection: no control characters",
                        "protocol: must be one of http, kubernetes, postgres, ssh",
                        "status: must be one of complete, incomplete, recording",
                        "from: a date and time such as 2026-12-05T13:00 (UTC)",
                        "to: a date and time such as 2026-12-05T13:00 (UTC)",
                        "page: must be 0 or more"),
                q.errors());
        assertEquals(0, q.page());
    }

    @Test
    void aPageLinkKeepsEveryFilterEncoded() {
        SessionQuery q = SessionQuery.of("bot 1&x=<y>", "", "postgres", "", "2026-12-05T13:00", "", 0);
        assertEquals("/sessions?page=1&agent=bot+1%26x%3D%3Cy%3E&protocol=postgres&from=2026-12-05T13%3A00", q.href(1));
    }
}
