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
    private static final Pattern EMAIL_PATTERN = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    // AWS access key ids, Google API keys, Azure storage account keys in connection strings.
    private static final Pattern CLOUD_KEY_PATTERN = Pattern.compile(
            "\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b|\\bAIza[0-9A-Za-z_\\-]{35}\\b|AccountKey=[A-Za-z0-9+/=]{40,}");
    private static final Pattern JWT_PATTERN = Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
    /** Field names whose values are secrets whatever they look like. */
    private static final Pattern SENSITIVE_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|credential|api[_-]?key|private[_-]?key|authorization|cookie).*");

    private Detectors() {
    }

    /** Whether {@code text} contains a value of the named detector; an unknown name is an error. */
    public static boolean detect(String text, String detector) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        return switch (detector.toLowerCase(Locale.ROOT)) {
            case CREDIT_CARD -> containsCard(text);
            case EMAIL -> EMAIL_PATTERN.matcher(text).find();
            case CLOUD_KEY -> CLOUD_KEY_PATTERN.matcher(text).find();
            case JWT -> JWT_PATTERN.matcher(text).find();
            default -> throw new IllegalArgumentException("unknown detector '" + detector + "', known: " + NAMES);
        };
    }

    public static boolean isSensitiveKey(String key) {
        return SENSITIVE_KEY.matcher(key).matches();
    }

    /** {@code text} with every detected value replaced by {@code [masked:<detector>]}. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = replaceCards(text);
        out = JWT_PATTERN.matcher(out).replaceAll("[masked:jwt]");
        out = CLOUD_KEY_PATTERN.matcher(out).replaceAll("[masked:cloud_key]");
        return EMAIL_PATTERN.matcher(out).replaceAll("[masked:email]");
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
