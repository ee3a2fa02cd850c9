package dev.portcullis.contracts.detect;

import java.util.List;

/**
 * Field names whose values are secrets whatever they look like: a decision log (policy-service) or a recording
 * (recorder-service) never shows a scalar under such a key. A key is sensitive when it <em>contains</em> one of
 * {@link #PARTS}, ignoring case: {@code db_password}, {@code X-Api-Key}, {@code set-cookie}, {@code client_secret},
 * {@code refresh_token}. Substring, not exact, matching: a key that merely contains "token" ({@code token_type}) is
 * redacted too, and that is the safe side of the trade.
 */
public final class SensitiveKeys {

    /** Lower-case parts that make a key sensitive. */
    public static final List<String> PARTS = List.of(
            "password",
            "passwd",
            "secret",
            "token",
            "credential",
            "apikey",
            "api_key",
            "api-key",
            "privatekey",
            "private_key",
            "private-key",
            "authorization",
            "cookie");

    private SensitiveKeys() {}

    /** Whether values under {@code key} are secrets. Allocation-free. */
    public static boolean isSensitive(String key) {
        if (key == null) {
            return false;
        }
        for (String part : PARTS) {
            if (containsIgnoreCase(key, part)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsIgnoreCase(String text, String lowerPart) {
        int last = text.length() - lowerPart.length();
        for (int i = 0; i <= last; i++) {
            if (text.regionMatches(true, i, lowerPart, 0, lowerPart.length())) {
                return true;
            }
        }
        return false;
    }
}
