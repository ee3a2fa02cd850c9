package dev.portcullis.recorder.rest;

import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parsing and bounds of common query parameters; bad values are 400s, never 500s. */
final class QueryParams {

    static final int MAX_PAGE_SIZE = 500;

    private QueryParams() {}

    static OffsetDateTime time(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiError(
                    Response.Status.BAD_REQUEST,
                    name + " must be an ISO-8601 date-time with offset, e.g. 2026-11-22T03:12:00Z");
        }
    }

    static void paging(int page, int size) {
        if (page < 0) {
            throw new ApiError(Response.Status.BAD_REQUEST, "page must be >= 0");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new ApiError(Response.Status.BAD_REQUEST, "size must be between 1 and " + MAX_PAGE_SIZE);
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
