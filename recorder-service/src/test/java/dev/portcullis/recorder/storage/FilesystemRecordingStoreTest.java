package dev.portcullis.recorder.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemRecordingStoreTest {

    @TempDir
    Path dir;

    @Test
    void putOpenRangeAndDelete() throws Exception {
        FilesystemRecordingStore store = new FilesystemRecordingStore(dir.resolve("store"));
        Path file = dir.resolve("in");
        Files.writeString(file, "0123456789");
        String key = RecordingKeys.key(Instant.parse("2026-11-22T03:12:00Z"), "s-1", RecordingKeys.EVENTS_EXT);
        assertThat(key).isEqualTo("recordings/2026/11/22/s-1.jsonl");
        store.put(key, file, 10, "x", "application/x-ndjson");
        assertThat(Files.readString(dir.resolve("store").resolve(key))).isEqualTo("0123456789");
        assertThat(store.size(key)).contains(10L);
        try (InputStream in = store.open(key, 3, 4)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("3456");
        }
        assertThat(store.delete(key)).isTrue();
        assertThat(store.size(key)).isEmpty();
        try (var files = Files.walk(dir.resolve("store"))) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty(); // no temp files left behind
        }
    }

    @Test
    void refusesKeysOutsideTheRecordingsLayout() throws Exception {
        FilesystemRecordingStore store = new FilesystemRecordingStore(dir);
        assertThatThrownBy(() -> store.open("recordings/2026/11/22/../../../../etc/passwd.jsonl", 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open("other/x.jsonl", 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
