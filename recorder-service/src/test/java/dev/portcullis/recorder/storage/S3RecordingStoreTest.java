package dev.portcullis.recorder.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.recorder.support.RecorderDevStack;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(RecorderDevStack.class)
class S3RecordingStoreTest {

    @Inject
    RecordingStore store;

    @Inject
    Vertx vertx;

    @Test
    void theTestStoreIsS3() {
        assertThat(io.quarkus.arc.ClientProxy.unwrap(store)).isInstanceOf(S3RecordingStore.class);
        assertThat(store.describe()).contains("portcullis-recordings").contains("path-style");
    }

    @Test
    void largeRecordingsGoUpInPartsAndReadBackByRange() throws Exception {
        // test config: multipart from 6 MiB, 5 MiB parts → 3 parts
        byte[] data = new byte[13 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        Path file = Files.createTempFile("s3-multipart", ".jsonl");
        try {
            Files.write(file, data);
            String key = RecordingKeys.key(Instant.now(), "multipart-" + UUID.randomUUID(), RecordingKeys.EVENTS_EXT);
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            store.put(key, file, data.length, sha, "application/x-ndjson");
            assertThat(store.size(key)).contains((long) data.length);
            try (InputStream in = store.open(key, 0, data.length)) {
                assertThat(HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes())))
                        .isEqualTo(sha);
            }
            long offset = 5 * 1024 * 1024 - 3; // across a part boundary
            try (InputStream in = store.open(key, offset, 10)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, (int) offset, (int) offset + 10));
            }
            assertThat(store.delete(key)).isTrue();
            assertThat(store.size(key)).isEmpty();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void storageCallsRefuseToRunOnTheEventLoop() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            try {
                store.size("recordings/2026/01/01/x.jsonl");
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        assertThat(failure.get(10, TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event loop");
    }
}
