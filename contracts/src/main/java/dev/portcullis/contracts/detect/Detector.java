package dev.portcullis.contracts.detect;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The value detectors, declared once: policy-service's CEL {@code detect(text, name)} and decision-log masking, and
 * session-proxy's masking of results, output and bodies use these same definitions, so what a rule detects is what
 * the proxy masks. The {@link #id()} is the {@code detector} of a mask directive.
 *
 * <p>Every detector runs on untrusted text (query results, command output, HTTP bodies) in time linear in its length:
 * each is a small hand-written scanner that finds what its regular expression (in the scanner's comment) finds, with
 * no backtracking a hostile value could exploit and no allocation beyond the matcher; the tests check each scanner
 * against its expression. (RE2/J was tried: linear too, but two to six times slower than the JDK's regex on values
 * that hold a match, and masking runs on every value the proxy relays.) Each detector also has a linear,
 * allocation-free pre-check ({@link #mayMatch}) that rules out most text before a matcher is made; it is never false
 * when the detector would match.
 */
public enum Detector {
    /** Payment card numbers: 13–19 digits, single spaces or dashes allowed between digits, passing Luhn. */
    CREDIT_CARD("credit_card"),
    /** E-mail addresses: {@code local@domain.tld}, a top-level domain of two letters or more. */
    EMAIL("email"),
    /**
     * Cloud and SaaS credentials: AWS access key ids ({@code AKIA…}, {@code ASIA…}) and secret keys written as
     * {@code aws_secret_access_key = …} (any case), Google API keys ({@code AIza…}), Azure storage account keys in
     * connection strings ({@code AccountKey=…}), GitHub tokens ({@code ghp_}, {@code gho_}, {@code ghs_},
     * {@code ghu_}, {@code github_pat_}) and Slack tokens ({@code xoxb-} and the like).
     */
    CLOUD_KEY("cloud_key"),
    /** JSON Web Tokens: two base64url JSON parts ({@code eyJ…}) and a signature, dot-separated. */
    JWT("jwt");

    private static final List<String> IDS =
            Stream.of(values()).map(Detector::id).toList();

    private final String id;

    Detector(String id) {
        this.id = id;
    }

    /** The name policies use ({@code credit_card}, {@code email}, {@code cloud_key}, {@code jwt}). */
    public String id() {
        return id;
    }

    /** Every detector's id, in declaration order. */
    public static List<String> ids() {
        return IDS;
    }

    /** The detector named {@code id}, ignoring case; empty for an unknown name. */
    public static Optional<Detector> fromId(String id) {
        for (Detector d : values()) {
            if (d.id.equalsIgnoreCase(id)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * A linear, allocation-free check that is false only when {@link #matcher} would find nothing: a card number
     * needs 13 digits with at most single spaces or dashes between them, an e-mail address an '@', a JWT "eyJ", a
     * cloud key one of its prefixes.
     */
    public boolean mayMatch(String text) {
        return switch (this) {
            case CREDIT_CARD -> CardNumbers.mayHold(text);
            case EMAIL -> text.indexOf('@') >= 0;
            case JWT -> text.contains("eyJ");
            case CLOUD_KEY ->
                text.contains("AKIA")
                        || text.contains("ASIA")
                        || text.contains("AIza")
                        || text.contains("xox")
                        || text.contains("AccountKey=")
                        || mayHoldUnderscoreKey(text);
        };
    }

    /** GitHub tokens ({@code ghp_…}, {@code github_pat_…}: no "gh" in it) and {@code aws_secret_access_key=} in any case. */
    private static boolean mayHoldUnderscoreKey(String text) {
        if (text.indexOf('_') < 0) {
            return false;
        }
        if (text.contains("gh") || text.contains("github_pat")) {
            return true;
        }
        for (int i = text.indexOf('_'); i >= 0; i = text.indexOf('_', i + 1)) {
            if (i >= 3 && text.regionMatches(true, i - 3, "aws_secret_access_key", 0, 21)) {
                return true;
            }
        }
        return false;
    }

    /** The matches in {@code text}. Check {@link #mayMatch} first to skip the allocation for most text. */
    public DetectorMatcher matcher(CharSequence text) {
        return switch (this) {
            case CREDIT_CARD -> new CardNumbers(text);
            case EMAIL -> new EmailAddresses(text);
            case CLOUD_KEY -> new CloudKeys(text);
            case JWT -> new Jwts(text);
        };
    }

    /** Whether {@code text} holds a value of this detector (CEL {@code detect}). */
    public boolean foundIn(String text) {
        return text != null
                && !text.isEmpty()
                && mayMatch(text)
                && matcher(text).find();
    }

    /**
     * {@code text} with every match replaced by {@code replacement} applied to it; the same instance when nothing
     * matched.
     */
    public String replaceAll(String text, UnaryOperator<String> replacement) {
        if (text == null || text.isEmpty() || !mayMatch(text)) {
            return text;
        }
        DetectorMatcher m = matcher(text);
        StringBuilder out = null;
        int last = 0;
        while (m.find()) {
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, last, m.start()).append(replacement.apply(text.substring(m.start(), m.end())));
            last = m.end();
        }
        return out == null ? text : out.append(text, last, text.length()).toString();
    }
}
