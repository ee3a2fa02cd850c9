package dev.portcullis.contracts.events;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** The few checks the event records share; each adds one line per problem, named by the JSON field. */
final class Validation {

    private Validation() {}

    static boolean missing(String value) {
        return value == null || value.isBlank();
    }

    static void required(List<String> problems, String field, String value) {
        if (missing(value)) {
            problems.add(field + ": missing");
        }
    }

    /** RFC 3339 with an offset ({@code 2026-03-02T10:15:30.123Z}), as every producer writes its times. */
    static void timestamp(List<String> problems, String field, String value, boolean required) {
        if (missing(value)) {
            if (required) {
                problems.add(field + ": missing");
            }
            return;
        }
        try {
            OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(field + ": " + quote(value) + " is not an RFC 3339 timestamp");
        }
    }

    static void oneOf(List<String> problems, String field, String value, List<String> allowed) {
        if (missing(value)) {
            problems.add(field + ": missing");
        } else if (!allowed.contains(value)) {
            problems.add(field + ": " + quote(value) + " is not one of " + allowed);
        }
    }

    /** A value for a message: quoted and cut short, since it comes from the wire. */
    static String quote(String value) {
        return "'" + (value.length() <= 80 ? value : value.substring(0, 80) + "…") + "'";
    }
}
