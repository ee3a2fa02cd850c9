package dev.portcullis.recorder.support;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The spans the recorder ends, kept in memory for the tests (the last 10,000): Quarkus hands every
 * {@link SpanExporter} bean the finished spans. Tests only; nothing else exports.
 */
@Singleton
public class SpanCollector implements SpanExporter {

    private final Deque<SpanData> spans = new ArrayDeque<>();

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
        spans.addAll(batch);
        while (spans.size() > 10_000) {
            spans.removeFirst();
        }
        return CompletableResultCode.ofSuccess();
    }

    /** The spans matching, waiting up to {@code timeout} for at least one. */
    public List<SpanData> await(Predicate<SpanData> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<SpanData> found;
            synchronized (this) {
                found = spans.stream().filter(match).toList();
            }
            if (!found.isEmpty() || System.nanoTime() > end) {
                return found;
            }
            Thread.sleep(100);
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
