package dev.portcullis.proxy.bench;

import dev.portcullis.proxy.pg.PgbenchFixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The baseline of the per-statement benchmarks (README "JMH: per-statement hot paths"; {@code bench/jmh.sh} prints
 * every other benchmark as a ratio to it): what PgBouncer does with a {@code pgbench -S -M prepared} statement — it
 * finds each frame by its header (type, length) and copies it from the buffer it was read into to the buffer it is
 * written from, the client's Bind/Describe/Execute/Sync one way and the backend's BindComplete, RowDescription,
 * DataRow, CommandComplete and ReadyForQuery the other. The same bytes as the proxy's benchmarks get, in Netty heap
 * buffers as the proxy's are. No policy, no recording, no masking.
 *
 * <p>Named {@code *Jmh}: surefire never runs it; {@code verify} compiles it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BaselineJmh {

    static final int N = 1024;

    private int next;
    private final ByteBuf[] requests = new ByteBuf[N];
    private ByteBuf reply;
    private final ByteBuf toServer = Unpooled.buffer(4096);
    private final ByteBuf toClient = Unpooled.buffer(4096);

    @Setup
    public void setUp() {
        for (int i = 0; i < N; i++) {
            requests[i] = Unpooled.wrappedBuffer(
                    PgbenchFixtures.preparedRequest(PgbenchFixtures.aid(i)).getBytes());
        }
        reply = Unpooled.wrappedBuffer(PgbenchFixtures.preparedReply(-2341).getBytes());
    }

    /** One prepared statement's frames, both directions, copied frame by frame. */
    @Benchmark
    public int pgbouncerCopy() {
        ByteBuf request = requests[next];
        next = (next + 1) & (N - 1);
        toServer.clear();
        toClient.clear();
        return copyFrames(request, toServer) + copyFrames(reply, toClient);
    }

    /** Copies every whole frame of {@code in} to {@code out}; returns how many. */
    private static int copyFrames(ByteBuf in, ByteBuf out) {
        int frames = 0;
        int pos = in.readerIndex();
        int end = in.writerIndex();
        while (end - pos >= 5) {
            int length = in.getInt(pos + 1);
            if (length < 4 || end - pos < length + 1) {
                break;
            }
            out.writeBytes(in, pos, length + 1);
            pos += length + 1;
            frames++;
        }
        return frames;
    }
}
