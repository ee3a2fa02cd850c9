package dev.portcullis.recorder.storage;

import dev.portcullis.recorder.config.RecorderConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jboss.logging.Logger;

/** Picks the store: S3 when a bucket is configured (or {@code portcullis.storage=s3}), else the filesystem. */
@ApplicationScoped
public class RecordingStoreProducer {

    private static final Logger LOG = Logger.getLogger(RecordingStoreProducer.class);

    @Produces
    @ApplicationScoped
    RecordingStore store(RecorderConfig config) {
        boolean s3 = switch (config.storage()) {
            case S3 -> true;
            case FILESYSTEM -> false;
            case AUTO -> config.s3().bucket().filter(b -> !b.isBlank()).isPresent();
        };
        RecordingStore store;
        try {
            store = s3 ? new S3RecordingStore(config.s3()) : new FilesystemRecordingStore(config.recordingsDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.infof("recordings go to %s", store.describe());
        return store;
    }

    void close(@Disposes RecordingStore store) {
        if (store instanceof S3RecordingStore s3) {
            s3.close();
        }
    }
}
