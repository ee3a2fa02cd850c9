package dev.portcullis.recorder.rest;

import static dev.portcullis.recorder.support.RecorderTestSupport.auditorToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.recorder.storage.RecordingStore;
import dev.portcullis.recorder.support.LargeRecording;
import dev.portcullis.recorder.support.MemoryProbe;
import dev.portcullis.recorder.support.RecorderDevStack;
import dev.portcullis.recorder.support.ThreadProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Downloads of a recording of hundreds of MB through the auditor API with a real HTTP client, the
 * object in S3 (S3Proxy on disk). The client runs in the same JVM as the recorder, so the memory
 * probe sees both; the client reads through a 64 KiB buffer and holds nothing.
 */
@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordingDownloadRouteTest {

    /** Large enough that buffering it anywhere would dwarf the allowance; {@code -Dtest.download.mb} to change. */
    static final long SIZE = Long.getLong("test.download.mb", 256) << 20;
    /** What a download may add to the JVM's retained memory (after GC), whatever the object's size. */
    static final long ALLOWANCE = 32L << 20;

    @Inject
    RecordingStore store;

    @Inject
    Pool pool;

    @Inject
    MeterRegistry registry;

    @TestHTTPResource("/")
    URL base;

    LargeRecording recording;
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    void storeALargeRecording() throws Exception {
        recording = LargeRecording.store(store, pool, SIZE);
    }

    @AfterAll
    void deleteIt() throws Exception {
        recording.close();
    }

    HttpRequest.Builder get(String range) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create(base + "v1/sessions/" + recording.sessionId() + "/recording"))
                .header("Authorization", "Bearer " + auditorToken());
        return range == null ? b : b.header("Range", range);
    }

    long audits() {
        return pool.preparedQuery("SELECT count(*) FROM download_audit WHERE session_id = $1")
                .execute(Tuple.of(recording.sessionId()))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }

    @Test
    void downloadKeepsMemoryFlatEvenForASlowClient() throws Exception {
        // the first download of the JVM loads classes (tens of MB of allocation): not what is measured
        assertThat(http.send(get("bytes=0-9").build(), HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode())
                .isEqualTo(206);
        long auditsBefore = audits();
        MemoryProbe before = MemoryProbe.afterGc();
        ThreadProbe allocated = ThreadProbe.start(ThreadProbe.SERVER_THREADS);
        HttpResponse<InputStream> r = http.send(get(null).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(SIZE);
        assertThat(r.headers().firstValue("x-portcullis-sha256")).hasValue(recording.sha256());
        assertThat(r.headers().firstValue("repr-digest"))
                .hasValue("sha-256=:"
                        + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(recording.sha256())) + ":");

        MessageDigest sha = LargeRecording.newSha256();
        long[] checkpoints = {8L << 20, SIZE / 2, SIZE * 3 / 4};
        int next = 0;
        long read = 0;
        MemoryProbe worst = new MemoryProbe(0, 0, 0);
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = r.body()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                read += n;
                if (next < checkpoints.length && read >= checkpoints[next]) {
                    if (next == 0) {
                        // a stalled client: without back-pressure the server would now read the rest into memory
                        Thread.sleep(2000);
                    }
                    MemoryProbe grown = MemoryProbe.afterGc().minus(before);
                    worst = grown.total() > worst.total() ? grown : worst;
                    next++;
                }
            }
        }
        long garbage = allocated.allocatedBytes();
        System.out.printf(
                "download of %d MiB: largest retained growth after GC %s; heap allocated by the server's threads %d MB%n",
                SIZE >> 20, worst, garbage >> 20);
        assertThat(read).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(recording.sha256());
        assertThat(worst.total())
                .as("memory retained while streaming %d MiB: %s", SIZE >> 20, worst)
                .isLessThan(ALLOWANCE);
        // not buffered, and not copied through the heap chunk by chunk either
        assertThat(garbage)
                .as("heap allocated by the recorder while serving %d MiB", SIZE >> 20)
                .isLessThan(SIZE / 16);
        assertThat(audits()).as("the download is audited").isEqualTo(auditsBefore + 1);
    }

    @Test
    void rangesReturnExactlyTheRequestedBytes() throws Exception {
        long chunk = InputStreamPump.CHUNK;
        long part = 5L << 20; // multipart part size of the test config: a boundary between two S3 parts
        long[][] ranges = {
            {0, 99},
            {chunk - 10, chunk + 10},
            {part - 3, part + 2},
            {SIZE / 2, SIZE / 2 + (3L << 20)},
            {SIZE - 1, SIZE - 1}
        };
        for (long[] range : ranges) {
            HttpResponse<byte[]> r = http.send(
                    get("bytes=" + range[0] + "-" + range[1]).build(), HttpResponse.BodyHandlers.ofByteArray());
            int length = (int) (range[1] - range[0] + 1);
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(r.headers().firstValue("content-range"))
                    .hasValue("bytes " + range[0] + "-" + range[1] + "/" + SIZE);
            assertThat(r.headers().firstValueAsLong("content-length")).hasValue(length);
            assertThat(r.body()).as("bytes %d-%d", range[0], range[1]).isEqualTo(recording.bytes(range[0], length));
        }
        HttpResponse<byte[]> suffix = http.send(get("bytes=-500").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo(recording.bytes(SIZE - 500, 500));
        HttpResponse<byte[]> open =
                http.send(get("bytes=" + (SIZE - 1000) + "-").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(open.headers().firstValue("content-range"))
                .hasValue("bytes " + (SIZE - 1000) + "-" + (SIZE - 1) + "/" + SIZE);
        assertThat(open.body()).isEqualTo(recording.bytes(SIZE - 1000, 1000));

        HttpResponse<String> unsatisfiable =
                http.send(get("bytes=" + SIZE + "-").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsatisfiable.statusCode()).isEqualTo(416);
        assertThat(unsatisfiable.headers().firstValue("content-range")).hasValue("bytes */" + SIZE);
        assertThat(unsatisfiable.body()).contains("range not satisfiable");
    }

    @Test
    void aRecordingStoredUncompressedIsSentAsItIsEvenToAClientThatTakesGzip() throws Exception {
        // recordings sealed before compression have no encoding in their metadata row (LargeRecording's too)
        HttpResponse<byte[]> r = http.send(
                get("bytes=100-199").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(r.headers().firstValue("vary")).hasValue("Accept-Encoding");
        assertThat(r.headers().firstValue("content-range")).hasValue("bytes 100-199/" + SIZE);
        assertThat(r.headers().firstValue("x-portcullis-sha256")).hasValue(recording.sha256());
        assertThat(r.body()).isEqualTo(recording.bytes(100, 100));
    }

    @Test
    void aClientThatGoesAwayReleasesTheStorageStream() throws Exception {
        HttpResponse<InputStream> r = http.send(get(null).build(), HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = r.body();
        assertThat(in.readNBytes(1 << 20)).hasSize(1 << 20);
        assertThat(active()).as("downloads in progress").isEqualTo(1);
        in.close(); // before the end: the client drops the connection
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(active()).as("downloads in progress after the client left").isZero();
        // and the recorder still serves the next one
        HttpResponse<byte[]> again = http.send(get("bytes=0-9").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(again.body()).isEqualTo(recording.bytes(0, 10));
    }

    double active() {
        return registry.get("recorder.downloads.active").gauge().value();
    }
}
