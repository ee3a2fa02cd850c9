package dev.portcullis.console.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Decisions page's search: the filters recorder-service's {@code GET /v1/decisions} takes (recorder-service/README.md
 * "Auditor API"), checked here first like {@link SessionQuery}; times without an offset are UTC.
 */
public record DecisionQuery(
        String agent,
        String connection,
        String session,
        String action,
        String from,
        String to,
        int page,
        List<String> errors) {

    /** The policy's actions. */
    public static final List<String> ACTIONS = List.of("allow", "deny", "review");

    private static final Set<String> ACTION_SET = Set.copyOf(ACTIONS);
    /** recorder-service's session id rule. */
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public DecisionQuery {
        errors = List.copyOf(errors);
    }

    public static DecisionQuery of(
            String agent, String connection, String session, String action, String from, String to, int page) {
        List<String> errors = new ArrayList<>();
        String a = SessionQuery.name("agent", agent, errors);
        String c = SessionQuery.name("connection", connection, errors);
        String s = session == null ? "" : session.strip();
        if (!s.isEmpty() && !SESSION_ID.matcher(s).matches()) {
            errors.add("session: letters, digits and . _ : - only, at most 128");
        }
        String act = SessionQuery.oneOf("action", action, ACTION_SET, errors);
        String f = SessionQuery.time("from", from, errors);
        String t = SessionQuery.time("to", to, errors);
        if (page < 0) {
            errors.add("page: must be 0 or more");
        }
        return new DecisionQuery(a, c, s, act, f, t, Math.max(0, page), errors);
    }

    public boolean valid() {
        return errors.isEmpty();
    }

    public int pageNumber() {
        return page + 1;
    }

    public String fromInstant() {
        return SessionQuery.instant(from);
    }

    public String toInstant() {
        return SessionQuery.instant(to);
    }

    public String href(int page) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("agent", agent);
        q.put("connection", connection);
        q.put("session", session);
        q.put("action", action);
        q.put("from", from);
        q.put("to", to);
        return SessionQuery.href("/decisions", q, page);
    }
}
