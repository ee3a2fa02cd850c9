package dev.portcullis.proxy.enforcement;

import dev.portcullis.contracts.detect.Detector;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies a decision's mask list to values, protocol-neutral: the PostgreSQL gateway hands it
 * result columns by name, SSH and HTTP hand it text. Column rules mask the whole value; detector
 * rules mask each match inside any value. The detectors are {@code contracts}' (the same ones
 * policy-service's CEL {@code detect()} uses); a name they do not know masks the whole value.
 */
public final class Masker {

    public static final String REDACTED = "[REDACTED]";

    private final SecretKeySpec hashKey;
    private final String hashKeyId;

    /**
     * @param hashKey HMAC key of the {@code hash} strategy, so hashed values cannot be looked up in a table; null:
     *     the {@code hash} strategy redacts (fail closed: no key of its own, whose hashes would differ per pod)
     */
    public Masker(HashKey hashKey) {
        this.hashKey = hashKey == null ? null : new SecretKeySpec(hashKey.secret(), "HmacSHA256");
        this.hashKeyId = hashKey == null ? null : hashKey.id();
    }

    /** A masker whose key is {@code hashKey} (at least {@value HashKey#MIN_BYTES} bytes), with its default id. */
    public Masker(byte[] hashKey) {
        this(HashKey.of(hashKey));
    }

    /** A masker without a hash key: the {@code hash} strategy masks as {@code redact}. */
    public static Masker withoutHashKey() {
        return new Masker((HashKey) null);
    }

    /** The id every hash carries ({@code hash:<id>:<hex>}); empty when {@code hash} redacts. */
    public Optional<String> hashKeyId() {
        return Optional.ofNullable(hashKeyId);
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
                Optional<Detector> d = Detector.fromId(r.detector());
                if (d.isEmpty()) {
                    column = "redact"; // an unknown detector may be meant for anything: mask everything
                } else {
                    detectors.add(new DetectorRule(d.get(), r.strategy() == null ? "redact" : r.strategy()));
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

    /**
     * How much a strategy hides: {@code redact} (and any strategy this class does not know, which it applies as
     * redact) 3, {@code hash} 2 (equal values stay linkable), {@code last4} 1 (four characters shown), none (null) 0.
     */
    public static int strictness(String strategy) {
        if (strategy == null) {
            return 0;
        }
        return switch (strategy.toLowerCase(Locale.ROOT)) {
            case "last4" -> 1;
            case "hash" -> 2;
            default -> 3;
        };
    }

    /** The stricter of two strategies ({@link #strictness}); null means "no column strategy". */
    public static String strictest(String a, String b) {
        return strictness(b) > strictness(a) ? b : a;
    }

    /** Glob match with '*' (any run) and '?' (one character); iterative, no regex, linear in practice. */
    public static boolean glob(String pattern, String text) {
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
        // the pre-check first: most values cannot match, and they cost no allocation (not even the lambda)
        if (!d.detector().mayMatch(value)) {
            return value;
        }
        return d.detector().replaceAll(value, hit -> strategy(d.strategy(), hit));
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
                // the key id tells hashes of a rotated key apart; without a key, hash is redact
                return hashKey == null
                        ? REDACTED
                        : "hash:" + hashKeyId + ":" + hmac(value).substring(0, 16);
            case "redact":
            default:
                return REDACTED;
        }
    }

    private String hmac(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(hashKey);
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
