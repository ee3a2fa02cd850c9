package dev.portcullis.policy.engine;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Value detectors shared by the CEL function {@code detect(text, name)} and by decision-log
 * masking. Names match the {@code detector} of mask directives.
 */
public final class Detectors {

    public static final String CREDIT_CARD = "credit_card";
    public static final String EMAIL = "email";
    public static final String CLOUD_KEY = "cloud_key";
    public static final String JWT = "jwt";
    public static final List<String> NAMES = List.of(CREDIT_CARD, EMAIL, CLOUD_KEY, JWT);

    // 13–19 digits, optionally grouped by single spaces or dashes; Luhn decides.
    private static final Pattern CARD_CANDIDATE = Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])");
    private static final Pattern EMAIL_PATTERN =
            Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    // AWS access key ids, Google API keys, Azure storage account keys in connection strings.
    private static final Pattern CLOUD_KEY_PATTERN = Pattern.compile(
            "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b|\\bAIza[0-9A-Za-z_\\-]{35}\\b|AccountKey=[A-Za-z0-9+/=]{40,}");
    private static final Pattern JWT_PATTERN =
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
    /** Parts of field names whose values are secrets whatever they look like ({@code api_key}, {@code apikey}, …). */
    private static final List<String> SENSITIVE_KEY_PARTS = List.of(
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

    private Detectors() {}

    /** Whether {@code text} contains a value of the named detector; an unknown name is an error. */
    public static boolean detect(String text, String detector) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        return switch (detector.toLowerCase(Locale.ROOT)) {
            case CREDIT_CARD -> mayHoldCard(text) && containsCard(text);
            case EMAIL -> mayHoldEmail(text) && EMAIL_PATTERN.matcher(text).find();
            case CLOUD_KEY ->
                mayHoldCloudKey(text) && CLOUD_KEY_PATTERN.matcher(text).find();
            case JWT -> mayHoldJwt(text) && JWT_PATTERN.matcher(text).find();
            default -> throw new IllegalArgumentException("unknown detector '" + detector + "', known: " + NAMES);
        };
    }

    public static boolean isSensitiveKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String part : SENSITIVE_KEY_PARTS) {
            if (k.contains(part)) {
                return true;
            }
        }
        return false;
    }

    // Linear pre-checks that every match needs, so text that cannot match skips the regex (the
    // e-mail pattern backtracks over long runs of word characters that hold no '@').

    private static boolean mayHoldCard(String text) {
        int digits = 0;
        for (int i = 0; i < text.length() && digits < 13; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return digits >= 13;
    }

    private static boolean mayHoldEmail(String text) {
        return text.indexOf('@') > 0;
    }

    private static boolean mayHoldCloudKey(String text) {
        return text.contains("AKIA") || text.contains("ASIA") || text.contains("AIza") || text.contains("AccountKey=");
    }

    private static boolean mayHoldJwt(String text) {
        return text.contains("eyJ");
    }

    /** {@code text} with every detected value replaced by {@code [masked:<detector>]}. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = mayHoldCard(text) ? replaceCards(text) : text;
        if (mayHoldJwt(out)) {
            out = JWT_PATTERN.matcher(out).replaceAll("[masked:jwt]");
        }
        if (mayHoldCloudKey(out)) {
            out = CLOUD_KEY_PATTERN.matcher(out).replaceAll("[masked:cloud_key]");
        }
        return mayHoldEmail(out) ? EMAIL_PATTERN.matcher(out).replaceAll("[masked:email]") : out;
    }

    static boolean luhn(CharSequence candidate) {
        int sum = 0;
        int digits = 0;
        boolean doubleIt = false;
        for (int i = candidate.length() - 1; i >= 0; i--) {
            char c = candidate.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            digits++;
            doubleIt = !doubleIt;
        }
        return digits >= 13 && digits <= 19 && sum % 10 == 0;
    }

    private static boolean containsCard(String text) {
        Matcher m = CARD_CANDIDATE.matcher(text);
        while (m.find()) {
            if (luhn(m.group())) {
                return true;
            }
        }
        return false;
    }

    private static String replaceCards(String text) {
        Matcher m = CARD_CANDIDATE.matcher(text);
        StringBuilder sb = null;
        int last = 0;
        while (m.find()) {
            if (luhn(m.group())) {
                if (sb == null) {
                    sb = new StringBuilder(text.length());
                }
                sb.append(text, last, m.start()).append("[masked:credit_card]");
                last = m.end();
            }
        }
        if (sb == null) {
            return text;
        }
        return sb.append(text, last, text.length()).toString();
    }
}
