package dev.portcullis.console.service;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Sessions page's search, as the form sends it: the filters recorder-service's {@code GET /v1/sessions} takes
 * (recorder-service/README.md "Auditor API"), checked here first so that a typo is explained in the page rather than
 * sent. Times come from the form's {@code datetime-local} fields, which have no offset: they are read as UTC (the
 * labels say so); a value with an offset is taken as it is.
 */
public record SessionQuery(
        String agent,
        String connection,
        String protocol,
        String status,
        String from,
        String to,
        String denied,
        String reviewed,
        int page,
        List<String> errors) {

    /** The recorder's protocols and statuses; empty means any. */
    public static final List<String> PROTOCOLS = List.of("postgres", "ssh", "kubernetes", "http");

    public static final List<String> STATUSES = List.of("recording", "complete", "incomplete");

    /**
     * The "has denials" / "has reviews" filters: the recorder's {@code denied}/{@code reviewed} values with what the
     * form calls them; empty means any.
     */
    public record Choice(String value, String label) {}

    public static final List<Choice> DENIALS =
            List.of(new Choice("true", "with denials"), new Choice("false", "without denials"));

    public static final List<Choice> REVIEWS =
            List.of(new Choice("true", "with reviews"), new Choice("false", "without reviews"));

    /** The recorder stores agent and connection names up to this length. */
    static final int MAX_NAME = 200;

    private static final Set<String> PROTOCOL_SET = Set.copyOf(PROTOCOLS);
    private static final Set<String> STATUS_SET = Set.copyOf(STATUSES);

    public SessionQuery {
        errors = List.copyOf(errors);
    }

    /** The form's values, trimmed; {@link #errors} names each one the recorder would refuse. */
    public static SessionQuery of(
            String agent,
            String connection,
            String protocol,
            String status,
            String from,
            String to,
            String denied,
            String reviewed,
            int page) {
        List<String> errors = new ArrayList<>();
        String a = name("agent", agent, errors);
        String c = name("connection", connection, errors);
        String p = oneOf("protocol", protocol, PROTOCOL_SET, errors);
        String s = oneOf("status", status, STATUS_SET, errors);
        String f = time("from", from, errors);
        String t = time("to", to, errors);
        String d = flag("denied", denied, "with denials", "without denials", errors);
        String r = flag("reviewed", reviewed, "with reviews", "without reviews", errors);
        if (page < 0) {
            errors.add("page: must be 0 or more");
        }
        return new SessionQuery(a, c, p, s, f, t, d, r, Math.max(0, page), errors);
    }

    /** The page as people count: from 1. */
    public int pageNumber() {
        return page + 1;
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    /** The time filter as sent to the recorder: ISO-8601 with offset, or empty. */
    public String fromInstant() {
        return instant(from);
    }

    public String toInstant() {
        return instant(to);
    }

    /** This search's page {@code page}, as a link of the Sessions page. */
    public String href(int page) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("agent", agent);
        q.put("connection", connection);
        q.put("protocol", protocol);
        q.put("status", status);
        q.put("from", from);
        q.put("to", to);
        q.put("denied", denied);
        q.put("reviewed", reviewed);
        return href("/sessions", q, page);
    }

    /** {@code path?page=N} and each non-empty filter, encoded. */
    static String href(String path, Map<String, String> filters, int page) {
        StringBuilder b = new StringBuilder(path).append("?page=").append(page);
        filters.forEach((k, v) -> {
            if (!v.isEmpty()) {
                b.append('&').append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return b.toString();
    }

    static String name(String field, String value, List<String> errors) {
        String v = value == null ? "" : value.strip();
        if (v.length() > MAX_NAME) {
            errors.add(field + ": at most " + MAX_NAME + " characters");
        }
        if (v.chars().anyMatch(Character::isISOControl)) {
            errors.add(field + ": no control characters");
        }
        return v;
    }

    static String oneOf(String field, String value, Set<String> allowed, List<String> errors) {
        String v = value == null ? "" : value.strip();
        if (!v.isEmpty() && !allowed.contains(v)) {
            errors.add(field + ": must be one of "
                    + String.join(", ", allowed.stream().sorted().toList()));
        }
        return v;
    }

    /** Exactly {@code true} or {@code false} (what the recorder takes, lower case), or empty for any. */
    static String flag(String field, String value, String whenTrue, String whenFalse, List<String> errors) {
        String v = value == null ? "" : value.strip();
        if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
            errors.add(field + ": must be true (" + whenTrue + "), false (" + whenFalse + ") or empty (any)");
        }
        return v;
    }

    static String time(String field, String value, List<String> errors) {
        String v = value == null ? "" : value.strip();
        if (!v.isEmpty() && instant(v).isEmpty()) {
            errors.add(field + ": a date and time such as 2026-12-05T13:00 (UTC)");
        }
        return v;
    }

    /** A {@code datetime-local} value (no offset: UTC) or an ISO-8601 time with offset; empty if neither. */
    static String instant(String value) {
        if (value == null || value.isBlank()) {
            return "";
        }
        try {
            return OffsetDateTime.parse(value).toString();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(value).atOffset(ZoneOffset.UTC).toString();
            } catch (DateTimeParseException e2) {
                return "";
            }
        }
    }
}
