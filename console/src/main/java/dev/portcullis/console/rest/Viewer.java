package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;
import dev.portcullis.console.security.CsrfTokens;

/**
 * Who is looking at a page, for the page: the name, which parts of the console to offer (the APIs behind them check
 * the roles again, and their refusals are shown as text), and the session's CSRF token for the page's scripts.
 */
public record Viewer(String name, boolean approver, boolean auditor, boolean admin, String csrf) {

    /** identity-broker's admin role (docs/architecture.md "Roles"). */
    static final String ADMIN = "portcullis-admin";

    static Viewer of(ConsoleUser user, CsrfTokens csrf) {
        return new Viewer(
                user.name(),
                user.hasRole("approver"),
                user.hasRole("auditor"),
                user.hasRole(ADMIN),
                csrf.token(user.sessionId(), user.subject()));
    }
}
