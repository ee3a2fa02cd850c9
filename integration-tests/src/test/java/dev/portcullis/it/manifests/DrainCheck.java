package dev.portcullis.it.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rolling deploy drains session-proxy's pods instead of cutting their sessions (docs/architecture.md "Restarts and
 * rolling deploys"): on SIGTERM readiness goes down for {@code QUARKUS_SHUTDOWN_DELAY} while sessions are still
 * accepted, so the Service stops routing new ones to the pod; then live sessions get up to
 * {@code PORTCULLIS_SHUTDOWN_DRAIN_TIMEOUT} to end. The pod's {@code terminationGracePeriodSeconds} must cover both
 * and a margin, or the kubelet's SIGKILL cuts the sessions the drain was waiting for, without their message.
 */
final class DrainCheck {

    static final String DELAY = "QUARKUS_SHUTDOWN_DELAY";
    static final String DRAIN_TIMEOUT = "PORTCULLIS_SHUTDOWN_DRAIN_TIMEOUT";
    /**
     * After the drain timeout: a second for ended sessions to write their last message (ShutdownDrain), the
     * listeners' and Kafka producer's close, the JVM's exit.
     */
    static final Duration MARGIN = Duration.ofSeconds(5);

    /** A Quarkus duration: a number of seconds, a number with ms/s/m/h/d, or ISO-8601. */
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private DrainCheck() {}

    static List<String> check(Deployment d) {
        List<String> p = new ArrayList<>();
        String where = "Deployment " + d.getMetadata().getName();
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        Optional<Duration> delay = duration(c, DELAY, where, p);
        Optional<Duration> drain = duration(c, DRAIN_TIMEOUT, where, p);
        if (delay.isPresent() && delay.get().isZero()) {
            p.add(where + ": " + DELAY + " is 0, so the Service still routes new sessions to a pod that refuses them");
        }
        Long grace = pod.getTerminationGracePeriodSeconds();
        if (delay.isPresent() && drain.isPresent()) {
            Duration needed = delay.get().plus(drain.get()).plus(MARGIN);
            if (grace == null || Duration.ofSeconds(grace).compareTo(needed) < 0) {
                p.add(where + ": terminationGracePeriodSeconds " + (grace == null ? "(default 30)" : grace)
                        + " is less than " + DELAY + " + " + DRAIN_TIMEOUT + " + " + MARGIN.toSeconds() + " s = "
                        + needed.toSeconds() + " s: the kubelet would kill sessions the drain still waits for");
            }
        }
        return p;
    }

    private static Optional<Duration> duration(Container c, String name, String where, List<String> p) {
        Optional<String> value = c.getEnv() == null
                ? Optional.empty()
                : c.getEnv().stream()
                        .filter(e -> name.equals(e.getName()))
                        .map(EnvVar::getValue)
                        .findFirst();
        if (value.isEmpty() || value.get() == null) {
            p.add(where + " sets no " + name + " (a literal value, so the grace period can be checked against it)");
            return Optional.empty();
        }
        try {
            return Optional.of(parse(value.get().strip()));
        } catch (RuntimeException e) {
            p.add(where + ": " + name + " '" + value.get() + "' is no duration");
            return Optional.empty();
        }
    }

    static Duration parse(String v) {
        Matcher m = SIMPLE.matcher(v);
        if (!m.matches()) {
            return Duration.parse(v);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
