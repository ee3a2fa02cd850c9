package dev.portcullis.recorder.retention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Retention period by connection tag: rules {@code tag=value:period}, first match wins, else the default. */
public final class RetentionPolicy {

    public record Rule(String tag, String value, Duration period) {}

    private final Duration defaultPeriod;
    private final List<Rule> rules;

    public RetentionPolicy(Duration defaultPeriod, List<String> specs) {
        this.defaultPeriod = defaultPeriod;
        List<Rule> parsed = new ArrayList<>();
        for (String spec : specs) {
            String s = spec.trim();
            if (s.isEmpty()) {
                continue;
            }
            int colon = s.lastIndexOf(':');
            int eq = s.indexOf('=');
            if (colon < 0 || eq < 0 || eq > colon) {
                throw new IllegalArgumentException(
                        "retention rule '" + s + "' is not tag=value:period (e.g. env=prod:P400D)");
            }
            parsed.add(new Rule(
                    s.substring(0, eq).trim(),
                    s.substring(eq + 1, colon).trim(),
                    Duration.parse(s.substring(colon + 1).trim())));
        }
        this.rules = List.copyOf(parsed);
    }

    public Duration periodFor(Map<String, String> tags) {
        for (Rule r : rules) {
            if (r.value().equals(tags.get(r.tag()))) {
                return r.period();
            }
        }
        return defaultPeriod;
    }

    /** The shortest period any recording can have: nothing younger than this is ever deleted. */
    public Duration shortest() {
        return rules.stream().map(Rule::period).reduce(defaultPeriod, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }

    public List<Rule> rules() {
        return rules;
    }
}
