package dev.portcullis.recorder.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Recordings as files under a directory, the embedded default. A put writes a temporary file,
 * forces it to disk and renames it into place, so a reader never sees half a recording.
 */
public final class FilesystemRecordingStore implements RecordingStore {

    private final Path root;

    public FilesystemRecordingStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    private Path resolve(String key) {
        Path p = root.resolve(RecordingKeys.requireValid(key)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("key outside the store");
        }
        return p;
    }

    @Override
    public void put(String key, Path file, long size, String sha256Hex, String contentType) throws IOException {
        RecordingStore.requireBlockingAllowed("filesystem put");
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.copy(file, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // not every filesystem lets a directory be opened for sync; the file itself is synced
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        RecordingStore.requireBlockingAllowed("filesystem stat");
        Path p = resolve(key);
        return Files.exists(p) ? Optional.of(Files.size(p)) : Optional.empty();
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        RecordingStore.requireBlockingAllowed("filesystem read");
        FileChannel ch;
        try {
            ch = FileChannel.open(resolve(key), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(key);
        }
        // a positioned read: only the requested range is read from disk
        ch.position(offset);
        return new BoundedInputStream(Channels.newInputStream(ch), length, null);
    }

    @Override
    public boolean delete(String key) throws IOException {
        RecordingStore.requireBlockingAllowed("filesystem delete");
        return Files.deleteIfExists(resolve(key));
    }

    @Override
    public String describe() {
        return "filesystem " + root;
    }
}
