package dev.portcullis.contracts.detect;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The value detectors, declared once: policy-service's CEL {@code detect(text, name)} and decision-log masking, and
 * session-proxy's masking of results, output and bodies use these same definitions, so what a rule detects is what
 * the proxy masks. The {@link #id()} is the {@code detector} of a mask directive.
 *
 * <p>Every detector runs on untrusted text in time linear in its length: card numbers with a hand-written scanner,
 * the others with RE2/J (no backtracking). Each has a linear, allocation-free pre-check ({@link #mayMatch}) that
 * rules out most text before a matcher is made; it is never false when the detector would match.
 */
public enum Detector {
    /** Payment card numbers: 13–19 digits, single spaces or dashes allowed between digits, passing Luhn. */
    CREDIT_CARD("credit_card", null),
    /** E-mail addresses: {@code local@domain.tld}, a top-level domain of two letters or more. */
    EMAIL("email", Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}")),
    /**
     * Cloud and SaaS credentials: AWS access key ids ({@code AKIA…}, {@code ASIA…}) and secret keys written as
     * {@code aws_secret_access_key = …} (any case), Google API keys ({@code AIza…}), Azure storage account keys in
     * connection strings ({@code AccountKey=…}), GitHub tokens ({@code ghp_}, {@code gho_}, {@code ghs_},
     * {@code ghu_}, {@code github_pat_}) and Slack tokens ({@code xoxb-} and the like).
     */
    CLOUD_KEY(
            "cloud_key",
            Pattern.compile("(?:AKIA|ASIA)[0-9A-Z]{16}"
                    + "|AIza[0-9A-Za-z_-]{35}"
                    + "|(?i:aws_secret_access_key)\\s*[=:]\\s*[A-Za-z0-9/+=]{40}"
                    + "|(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}"
                    + "|AccountKey=[A-Za-z0-9/+=]{40,}")),
    /** JSON Web Tokens: two base64url JSON parts ({@code eyJ…}) and a signature, dot-separated. */
    JWT("jwt", Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"));

    private static final List<String> IDS =
            Stream.of(values()).map(Detector::id).toList();

    private final String id;
    private final Pattern pattern;

    Detector(String id, Pattern pattern) {
        this.id = id;
        this.pattern = pattern;
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

    /** GitHub tokens ({@code ghp_…}, {@code github_pat_…}) and {@code aws_secret_access_key=} in any case. */
    private static boolean mayHoldUnderscoreKey(String text) {
        if (text.indexOf('_') < 0) {
            return false;
        }
        if (text.contains("gh")) {
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
        return pattern == null ? new CardNumbers(text) : new RegexMatches(pattern.matcher(text));
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

    private record RegexMatches(Matcher m) implements DetectorMatcher {
        @Override
        public boolean find() {
            return m.find();
        }

        @Override
        public int start() {
            return m.start();
        }

        @Override
        public int end() {
            return m.end();
        }
    }
}
