package dev.portcullis.console.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantRequestTest {

    @Test
    void aGrantEndsAfterADurationAtATimeReadAsUtcOrNever() {
        GrantRequest after = GrantRequest.of("pg-prod", "read", " PT8H ", "");
        assertTrue(after.valid(), after.errors()::toString);
        assertEquals(new GrantRequest("pg-prod", "read", Duration.ofHours(8), null, List.of()), after);
        assertEquals(
                Duration.ofDays(7),
                GrantRequest.of("pg-prod", "read", "P7D", null).duration());

        GrantRequest at = GrantRequest.of("pg-prod", "write", "", "2026-12-05T13:00");
        assertEquals(OffsetDateTime.of(2026, 12, 5, 13, 0, 0, 0, ZoneOffset.UTC), at.expiresAt(), "no offset: UTC");
        assertEquals(
                OffsetDateTime.of(2026, 12, 5, 13, 0, 0, 0, ZoneOffset.ofHours(2)),
                GrantRequest.of("pg-prod", "admin", null, "2026-12-05T13:00+02:00")
                        .expiresAt(),
                "an offset is kept");

        GrantRequest never = GrantRequest.of("pg-prod", "read", null, null);
        assertTrue(never.valid());
        assertNull(never.duration());
        assertNull(never.expiresAt());
    }

    @Test
    void whatTheBrokerWouldRefuseForItsShapeIsNamed() {
        assertEquals(
                List.of("connection: choose a connection", "access: must be one of read, write, admin"),
                GrantRequest.of(" ", null, "", "").errors());
        assertEquals(
                List.of("connection: must be 1 to 63 lower-case letters, digits and '-', starting and ending with a"
                        + " letter or digit"),
                GrantRequest.of("<b>pg</b>", "read", "", "").errors());
        assertFalse(GrantRequest.of("pg\u0000prod", "read", "", "").valid(), "a control character");
        assertFalse(GrantRequest.of("a".repeat(64), "read", "", "").valid(), "longer than a DNS label");
        assertEquals(
                List.of("access: must be one of read, write, admin"),
                GrantRequest.of("pg-prod", "READ", "", "").errors(),
                "levels are lower case, as in the connections file and scopes");
        assertEquals(
                List.of("duration: an ISO-8601 duration such as PT30M, PT8H or P7D"),
                GrantRequest.of("pg-prod", "read", "8 hours", "").errors());
        assertEquals(
                List.of("duration: an ISO-8601 duration such as PT30M, PT8H or P7D"),
                GrantRequest.of("pg-prod", "read", "PT" + "1".repeat(100) + "H", "")
                        .errors());
        assertEquals(
                List.of("duration: must be positive"),
                GrantRequest.of("pg-prod", "read", "PT0S", "").errors());
        assertEquals(
                List.of("duration: must be positive"),
                GrantRequest.of("pg-prod", "read", "-PT1H", "").errors());
        assertEquals(
                List.of("end time: a date and time such as 2026-12-05T13:00 (UTC)"),
                GrantRequest.of("pg-prod", "read", "", "tomorrow").errors());
        assertEquals(
                List.of("give a duration or an end time, not both (neither: until revoked)"),
                GrantRequest.of("pg-prod", "read", "PT1H", "2026-12-05T13:00").errors());
    }
}
