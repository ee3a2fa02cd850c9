package dev.portcullis.recorder.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time used by named process trees (this JVM, PostgreSQL with its backends, Kafka, S3Proxy)
 * since {@link #start}: where the time of a benchmark went, on a machine others share. A process
 * that exits meanwhile is not counted.
 */
public final class CpuProbe {

    private final Map<String, Long> roots;
    private final Map<String, Duration> before;

    private CpuProbe(Map<String, Long> roots) {
        this.roots = roots;
        this.before = sample();
    }

    /** {@code roots}: name → pid of the tree's root, in report order. */
    public static CpuProbe start(Map<String, Long> roots) {
        return new CpuProbe(new LinkedHashMap<>(roots));
    }

    private Map<String, Duration> sample() {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        roots.forEach((name, pid) -> cpu.put(
                name,
                ProcessHandle.of(pid)
                        .map(p -> Stream.concat(Stream.of(p), p.descendants())
                                .map(h -> h.info().totalCpuDuration().orElse(Duration.ZERO))
                                .reduce(Duration.ZERO, Duration::plus))
                        .orElse(Duration.ZERO)));
        return cpu;
    }

    /** e.g. {@code recorder JVM 21.3 s (1.10 cores), postgres 9.8 s (0.51 cores), …} over {@code wallSeconds}. */
    public String report(double wallSeconds) {
        Map<String, Duration> now = sample();
        return now.entrySet().stream()
                .map(e -> {
                    double s = e.getValue().minus(before.get(e.getKey())).toMillis() / 1000.0;
                    return "%s %.1f s (%.2f cores)".formatted(e.getKey(), s, s / wallSeconds);
                })
                .collect(Collectors.joining(", "));
    }
}
