package dev.portcullis.recorder.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration modes are enums: a misspelling stops the service at start, naming the key and the choices. */
class RecorderConfigTest {

    static RecorderConfig load(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(RecorderConfig.class)
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .build();
        return config.getConfigMapping(RecorderConfig.class);
    }

    @Test
    void storageAndEncryptionAreReadAsTheirModes() {
        assertThat(load(Map.of()).storage()).isEqualTo(RecorderConfig.Storage.AUTO);
        assertThat(load(Map.of()).s3().sse()).isEmpty();
        assertThat(load(Map.of("portcullis.storage", "s3")).storage()).isEqualTo(RecorderConfig.Storage.S3);
        assertThat(load(Map.of("portcullis.storage", "filesystem")).storage())
                .isEqualTo(RecorderConfig.Storage.FILESYSTEM);
        // the names S3 and the README use
        assertThat(load(Map.of("portcullis.s3.sse", "AES256")).s3().sse()).contains(RecorderConfig.Sse.AES256);
        assertThat(load(Map.of("portcullis.s3.sse", "aws:kms")).s3().sse()).contains(RecorderConfig.Sse.AWS_KMS);
        assertThat(RecorderConfig.Sse.AWS_KMS.wire()).isEqualTo("aws:kms");
    }

    @Test
    void aMisspelledStorageFailsAtStart() {
        assertThatThrownBy(() -> load(Map.of("portcullis.storage", "s3-bucket")))
                .hasMessageContaining("portcullis.storage")
                .hasMessageContaining("s3-bucket")
                .hasMessageContaining("filesystem");
    }

    @Test
    void aMisspelledEncryptionFailsAtStart() {
        // a free string went to S3 as is: every upload refused, or an unknown value passed on by the SDK
        assertThatThrownBy(() -> load(Map.of("portcullis.s3.sse", "aws-kms")))
                .hasMessageContaining("portcullis.s3.sse")
                .hasMessageContaining("AES256 or aws:kms");
    }
}
