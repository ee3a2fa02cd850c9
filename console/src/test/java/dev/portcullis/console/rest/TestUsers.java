package dev.portcullis.console.rest;

import dev.portcullis.console.security.ConsoleUser;

/** Signed-in users for the route tests, without an OIDC session: what {@link ConsoleUser} would read from one. */
final class TestUsers {

    private TestUsers() {}

    /** A human with a console role, signed in with session {@code sid}; the APIs get {@code accessToken}. */
    static ConsoleUser signedIn(String sid, String subject, String accessToken) {
        return new ConsoleUser() {
            @Override
            public boolean signedIn() {
                return true;
            }

            @Override
            public boolean mayUseConsole() {
                return true;
            }

            @Override
            public String sessionId() {
                return sid;
            }

            @Override
            public String subject() {
                return subject;
            }

            @Override
            public String accessToken() {
                return accessToken;
            }

            @Override
            public String toString() {
                return "TestUser[" + subject + "]";
            }
        };
    }
}
