package dev.portcullis.recorder.support;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Memory this JVM holds on to after a full GC: heap in use, NIO direct buffers, and Netty's own
 * direct memory (its pooled allocator's chunks, which the JDK's buffer pools do not count). A
 * server that buffers a download shows up in one of the three, whichever way it buffers.
 */
public record MemoryProbe(long heap, long direct, long nettyDirect) {

    public static MemoryProbe afterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> "direct".equals(b.getName()))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        long netty = io.netty.util.internal.PlatformDependent.usedDirectMemory();
        return new MemoryProbe(heap, direct, Math.max(0, netty));
    }

    public long total() {
        return heap + direct + nettyDirect;
    }

    /** Growth over {@code before}, component by component (negative values count as zero). */
    public MemoryProbe minus(MemoryProbe before) {
        return new MemoryProbe(
                Math.max(0, heap - before.heap),
                Math.max(0, direct - before.direct),
                Math.max(0, nettyDirect - before.nettyDirect));
    }

    @Override
    public String toString() {
        return "heap +%d MB, direct +%d MB, netty direct +%d MB".formatted(heap >> 20, direct >> 20, nettyDirect >> 20);
    }
}
