package dev.portcullis.recorder.rest;

import dev.portcullis.recorder.api.ApiError;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parsing and bounds of common query parameters; bad values are 400s, never 500s. */
final class QueryParams {

    static final int MAX_PAGE_SIZE = 500;
    /** Agent and connection names are stored up to this length (DecisionLogParser, SessionEventParser). */
    static final int MAX_NAME = 200;
    /** The protocols session-proxy speaks, as sessions record them; empty means any. */
    static final String PROTOCOLS = "|postgres|ssh|kubernetes|http";

    static final String PROTOCOLS_MESSAGE = "must be postgres, ssh, kubernetes or http";

    /** A yes/no filter: exactly {@code true} or {@code false} (lower case, as JSON writes them); empty means any. */
    static final String FLAG = "|true|false";

    static final String FLAG_MESSAGE = "must be true or false (lower case), or empty for any";

    private QueryParams() {}

    /** A {@link #FLAG} value (already validated) as a filter: null when empty. */
    static Boolean flag(String value) {
        return value == null || value.isEmpty() ? null : Boolean.valueOf("true".equals(value));
    }

    static OffsetDateTime time(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiError.invalid(name, "must be an ISO-8601 date-time with offset, e.g. 2026-11-22T03:12:00Z");
        }
    }

    static void paging(int page, int size) {
        if (page < 0) {
            throw ApiError.invalid("page", "must be >= 0");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiError.invalid("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        if ((long) page * size > Integer.MAX_VALUE) {
            // the offset of such a page does not fit the query's int offset
            throw ApiError.invalid("page", "must be at most " + Integer.MAX_VALUE / size + " for size " + size);
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
