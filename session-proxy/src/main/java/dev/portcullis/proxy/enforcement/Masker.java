package dev.portcullis.proxy.enforcement;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies a decision's mask list to values, protocol-neutral: the PostgreSQL gateway hands it
 * result columns by name, SSH and HTTP hand it text. Column rules mask the whole value; detector
 * rules mask each match inside any value.
 */
public final class Masker {

    public static final String REDACTED = "[REDACTED]";

    /** Detectors by their policy name. */
    public enum Detector {
        CREDIT_CARD("credit_card", Pattern.compile("(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])")),
        EMAIL("email", Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")),
        CLOUD_KEY(
                "cloud_key",
                Pattern.compile(
                        "(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|(?i:aws_secret_access_key)\\s*[=:]\\s*[A-Za-z0-9/+=]{40}"
                                + "|(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}"
                                + "|AccountKey=[A-Za-z0-9/+=]{40,}")),
        JWT("jwt", Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"));

        final String id;
        final Pattern pattern;

        Detector(String id, Pattern pattern) {
            this.id = id;
            this.pattern = pattern;
        }

        public static Detector of(String id) {
            String n = id.toLowerCase(Locale.ROOT).replace('-', '_');
            for (Detector d : values()) {
                if (d.id.equals(n)) {
                    return d;
                }
            }
            return switch (n) {
                case "card", "pan", "credit_card_number" -> CREDIT_CARD;
                case "e_mail", "mail" -> EMAIL;
                case "cloud_keys", "aws_key", "api_key", "secret_key" -> CLOUD_KEY;
                case "token", "jwt_token" -> JWT;
                default -> null;
            };
        }
    }

    private final byte[] hashKey;

    /** @param hashKey HMAC key of the {@code hash} strategy, so hashed values cannot be looked up in a table */
    public Masker(byte[] hashKey) {
        this.hashKey = hashKey.clone();
    }

    /** What to do to one result column, resolved once per result description. */
    public record ColumnPlan(String columnStrategy, List<DetectorRule> detectors) {
        public boolean masksAnything() {
            return columnStrategy != null || !detectors.isEmpty();
        }
    }

    public record DetectorRule(Detector detector, String strategy) {}

    /** Unknown detectors or strategies fail closed: the value is redacted. */
    public static ColumnPlan plan(List<MaskRule> rules, String columnName) {
        String column = null;
        List<DetectorRule> detectors = new java.util.ArrayList<>();
        for (MaskRule r : rules) {
            if (r.column() != null) {
                if (matchesColumn(r.column(), columnName) && column == null) {
                    column = r.strategy() == null ? "redact" : r.strategy();
                }
            } else if (r.detector() != null) {
                Detector d = Detector.of(r.detector());
                if (d == null) {
                    column = "redact"; // an unknown detector may be meant for anything: mask everything
                } else {
                    detectors.add(new DetectorRule(d, r.strategy() == null ? "redact" : r.strategy()));
                }
            }
        }
        return new ColumnPlan(column, List.copyOf(detectors));
    }

    private static boolean matchesColumn(String rule, String column) {
        if (column == null) {
            return false;
        }
        String r = rule.toLowerCase(Locale.ROOT);
        String c = column.toLowerCase(Locale.ROOT);
        if (r.indexOf('*') >= 0 || r.indexOf('?') >= 0) {
            // policy-service's column directives are case-insensitive globs ("*email*"); like exact
            // names, a "table." prefix is not checked (RowDescription carries the table's OID only)
            return glob(r.substring(r.lastIndexOf('.') + 1), c.substring(c.lastIndexOf('.') + 1));
        }
        return r.equals(c) || r.endsWith("." + c); // "customers.email" matches result column "email"
    }

    /** Glob match with '*' (any run) and '?' (one character); iterative, no regex, linear in practice. */
    static boolean glob(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))) {
                p++;
                t++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** Masks one value by a plan; returns the same instance when nothing matched. */
    public String apply(ColumnPlan plan, String value) {
        if (plan.columnStrategy() != null) {
            return strategy(plan.columnStrategy(), value);
        }
        String out = value;
        for (DetectorRule d : plan.detectors()) {
            out = maskMatches(d, out);
        }
        return out;
    }

    /** Detector masking over free text (SSH output, HTTP bodies, recorded parameters). */
    public String applyDetectors(List<MaskRule> rules, String text) {
        return apply(plan(rules.stream().filter(r -> r.detector() != null).toList(), null), text);
    }

    private String maskMatches(DetectorRule d, String value) {
        if (!mayMatch(d.detector(), value)) {
            return value;
        }
        Matcher m = d.detector().pattern.matcher(value);
        StringBuilder sb = null;
        int last = 0;
        while (m.find()) {
            String hit = m.group();
            if (d.detector() == Detector.CREDIT_CARD && !luhn(hit)) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(value.length());
            }
            sb.append(value, last, m.start()).append(strategy(d.strategy(), hit));
            last = m.end();
        }
        if (sb == null) {
            return value;
        }
        return sb.append(value, last, value.length()).toString();
    }

    /**
     * A linear pre-check that rules out most text before the regular expression runs (masking is on
     * every output byte, and the card pattern backtracks on digit-rich text such as base64): a card
     * number needs 13 digits with at most single spaces or dashes between them, an e-mail address an
     * '@', a JWT "eyJ". Never false when the pattern could match.
     */
    static boolean mayMatch(Detector d, String value) {
        switch (d) {
            case CREDIT_CARD -> {
                int run = 0;
                boolean separator = false;
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c >= '0' && c <= '9') {
                        if (++run >= 13) {
                            return true;
                        }
                        separator = false;
                    } else if ((c == ' ' || c == '-') && run > 0 && !separator) {
                        separator = true;
                    } else {
                        run = 0;
                        separator = false;
                    }
                }
                return false;
            }
            case EMAIL -> {
                return value.indexOf('@') >= 0;
            }
            case JWT -> {
                return value.contains("eyJ");
            }
            case CLOUD_KEY -> {
                return value.contains("AKIA")
                        || value.contains("ASIA")
                        || value.contains("AIza")
                        || value.contains("xox")
                        || value.contains("AccountKey=")
                        || mayHoldUnderscoreKey(value);
            }
            default -> {
                return true;
            }
        }
    }

    /** GitHub tokens ({@code ghp_…}, {@code github_pat_…}) and {@code aws_secret_access_key=} in any case. */
    private static boolean mayHoldUnderscoreKey(String value) {
        if (value.indexOf('_') < 0) {
            return false;
        }
        if (value.contains("gh")) {
            return true;
        }
        for (int i = value.indexOf('_'); i >= 0; i = value.indexOf('_', i + 1)) {
            if (i >= 3 && value.regionMatches(true, i - 3, "aws_secret_access_key", 0, 21)) {
                return true;
            }
        }
        return false;
    }

    String strategy(String strategy, String value) {
        switch (strategy.toLowerCase(Locale.ROOT)) {
            case "last4": {
                int keep = 0;
                int i = value.length();
                while (i > 0 && keep < 4) {
                    i--;
                    if (Character.isLetterOrDigit(value.charAt(i))) {
                        keep++;
                    }
                }
                if (value.length() <= 4) {
                    return "*".repeat(value.length());
                }
                return "*".repeat(Math.max(4, i)) + value.substring(i);
            }
            case "hash":
                return "hash:" + hmac(value).substring(0, 16);
            case "redact":
            default:
                return REDACTED;
        }
    }

    private String hmac(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Luhn checksum over the digits of a candidate card number. */
    public static boolean luhn(String candidate) {
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
}
