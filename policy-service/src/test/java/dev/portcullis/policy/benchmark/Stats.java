package dev.portcullis.policy.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** Percentiles of recorded latencies, and a results file beside the console output. */
final class Stats {

    private Stats() {}

    static long percentile(long[] sortedNanos, int count, double p) {
        if (count == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * count) - 1;
        return sortedNanos[Math.max(0, Math.min(count - 1, i))];
    }

    static long[] sorted(long[] nanos, int count) {
        long[] copy = Arrays.copyOf(nanos, count);
        Arrays.sort(copy);
        return copy;
    }

    static void report(String line) {
        System.out.println("[benchmark] " + line);
        try {
            Files.writeString(
                    Path.of("target", "benchmark-results.txt"),
                    line + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot write benchmark-results.txt: " + e.getMessage());
        }
    }
}
