package dev.portcullis.recorder.support;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Heap bytes allocated and CPU time used by a set of threads since {@link #start} (HotSpot's
 * per-thread counters), e.g. by the recorder's event loops and workers while they serve a download.
 * Unlike a sampled heap peak it does not depend on when the GC runs, and unlike whole-JVM figures it
 * leaves out an in-process client or producer. Threads that end meanwhile are not counted.
 */
public final class ThreadProbe {

    /** The threads that serve HTTP in the recorder: Vert.x event loops and Quarkus's worker pool. */
    public static final Predicate<Thread> SERVER_THREADS = t -> t.getName().startsWith("vert.x-eventloop-thread-")
            || t.getName().startsWith("executor-thread-")
            || t.getName().startsWith("vert.x-worker-thread-");
    /** The threads that ingest: the above, the Kafka consumers and the finalizers. */
    public static final Predicate<Thread> RECORDER_THREADS =
            SERVER_THREADS.or(t -> t.getName().startsWith("smallrye-kafka-consumer-thread-")
                    || t.getName().startsWith("recorder-finalizer-"));

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Predicate<Thread> which;
    private final Map<Long, long[]> before = new HashMap<>();

    private ThreadProbe(Predicate<Thread> which) {
        this.which = which;
    }

    public static ThreadProbe start(Predicate<Thread> which) {
        ThreadProbe p = new ThreadProbe(which);
        Thread.getAllStackTraces().keySet().stream()
                .filter(which)
                .forEach(t -> p.before.put(t.threadId(), new long[] {
                    THREADS.getThreadAllocatedBytes(t.threadId()), THREADS.getThreadCpuTime(t.threadId())
                }));
        return p;
    }

    /** Heap allocated since start by the matching threads, including threads started meanwhile. */
    public long allocatedBytes() {
        return sum(0);
    }

    /** CPU time used since start by the matching threads, including threads started meanwhile. */
    public long cpuNanos() {
        return sum(1);
    }

    private long sum(int which) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (this.which.test(t)) {
                long now = which == 0
                        ? THREADS.getThreadAllocatedBytes(t.threadId())
                        : THREADS.getThreadCpuTime(t.threadId());
                if (now >= 0) {
                    long[] b = before.get(t.threadId());
                    sum += now - (b == null ? 0 : b[which]);
                }
            }
        }
        return sum;
    }
}
