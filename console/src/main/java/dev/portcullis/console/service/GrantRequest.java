package dev.portcullis.console.service;

import dev.portcullis.contracts.connections.AccessLevel;
import dev.portcullis.contracts.connections.ConnectionsFile;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A standing grant as the agent page's form gives it, checked against what identity-broker's {@code POST
 * /v1/agents/{name}/grants} accepts (identity-broker/README.md "API" and "Errors") before anything is sent: a
 * connection name by the connections file's rule, an access level a connections file can declare, and at most one of
 * a positive ISO-8601 duration and an end time. Whether the connection exists, offers that level, or the end is still
 * ahead, the broker decides (404, 422), and its answer reaches the page.
 *
 * @param duration none when not given
 * @param expiresAt none when not given; a {@code datetime-local} value (no offset) is read as UTC, like the search
 *     forms
 * @param errors what is wrong, one line a field; empty when the grant may be sent
 */
public record GrantRequest(
        String connection, String access, Duration duration, OffsetDateTime expiresAt, List<String> errors) {

    /** Longer than any duration or time the form means; refused before parsing. */
    private static final int MAX_TIME_LENGTH = 64;

    /** Every access level a connections file can declare, narrowest first: the form's choices. */
    public static final List<String> ACCESS_LEVELS =
            Arrays.stream(AccessLevel.values()).map(AccessLevel::id).toList();

    public boolean valid() {
        return errors.isEmpty();
    }

    public static GrantRequest of(String connection, String access, String duration, String expiresAt) {
        List<String> errors = new ArrayList<>();
        String c = strip(connection);
        if (c.isEmpty()) {
            errors.add("connection: choose a connection");
        } else if (!ConnectionsFile.isValidName(c)) {
            errors.add("connection: must be " + ConnectionsFile.NAME_RULE);
        }
        String a = strip(access);
        if (AccessLevel.fromId(a).isEmpty()) {
            errors.add("access: must be one of " + String.join(", ", ACCESS_LEVELS));
        }
        Duration d = null;
        String ds = strip(duration);
        if (!ds.isEmpty()) {
            d = duration(ds);
            if (d == null) {
                errors.add("duration: an ISO-8601 duration such as PT30M, PT8H or P7D");
            } else if (d.isNegative() || d.isZero()) {
                errors.add("duration: must be positive");
                d = null;
            }
        }
        OffsetDateTime e = null;
        String es = strip(expiresAt);
        if (!es.isEmpty()) {
            e = time(es);
            if (e == null) {
                errors.add("end time: a date and time such as 2026-12-05T13:00 (UTC)");
            }
        }
        if (!ds.isEmpty() && !es.isEmpty()) {
            errors.add("give a duration or an end time, not both (neither: until revoked)");
        }
        return new GrantRequest(c, a, d, e, List.copyOf(errors));
    }

    private static Duration duration(String s) {
        if (s.length() > MAX_TIME_LENGTH) {
            return null;
        }
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A {@code datetime-local} value (no offset: UTC) or an ISO-8601 time with offset; null if neither. */
    private static OffsetDateTime time(String s) {
        if (s.length() > MAX_TIME_LENGTH) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String strip(String s) {
        return s == null ? "" : s.strip();
    }
}
