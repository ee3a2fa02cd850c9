package dev.portcullis.it.journey;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Collection;
import java.util.regex.Pattern;

/** Assertions and waits the journeys share. */
final class Checks {

    /** The start of a JWT (header and payload both base64url JSON objects). */
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ");

    private Checks() {}

    /** None of {@code forbidden} occurs in {@code text}; the message never repeats the value (it may be a token or a password). */
    static void assertNoneOf(String text, Collection<String> forbidden, String where) {
        int i = 0;
        for (String f : forbidden) {
            int index = i++;
            assertFalse(
                    text.contains(f),
                    () -> where + " contains value #" + index + " of the " + forbidden.size() + " it must never hold ("
                            + f.length() + " chars)");
        }
    }

    static void assertNoJwt(String text, String where) {
        assertFalse(JWT.matcher(text).find(), () -> "a JWT in " + where);
    }

    /**
     * Token {@code iat} has whole seconds and the proxy lets a token of the kill switch's own second
     * through, so a token that must count as older than a kill switch is given a second to age.
     */
    static void sleepPastThisSecond() {
        Poll.pause(1_100);
    }

    /** Steps of a journey build on each other: a step whose predecessor failed says so instead of failing obscurely. */
    static void requireStep(boolean done, int step) {
        if (!done) {
            throw new AssertionError("step " + step + " of the journey did not complete; this step builds on it");
        }
    }
}
