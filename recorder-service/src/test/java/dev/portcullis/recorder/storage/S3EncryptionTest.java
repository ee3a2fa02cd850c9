package dev.portcullis.recorder.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.recorder.config.RecorderConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

class S3EncryptionTest {

    static RecorderConfig.S3 config(RecorderConfig.Sse sse, String kmsKey) {
        return new RecorderConfig.S3() {
            public Optional<String> endpoint() {
                return Optional.of("http://127.0.0.1:1");
            }

            public String region() {
                return "us-east-1";
            }

            public Optional<String> accessKey() {
                return Optional.of("a");
            }

            public Optional<String> secretKey() {
                return Optional.of("b");
            }

            public Optional<String> bucket() {
                return Optional.of("bucket");
            }

            public boolean pathStyle() {
                return true;
            }

            public Optional<RecorderConfig.Sse> sse() {
                return Optional.ofNullable(sse);
            }

            public Optional<String> sseKmsKeyId() {
                return Optional.ofNullable(kmsKey);
            }

            public long multipartThreshold() {
                return 1 << 24;
            }

            public int partSize() {
                return 1 << 23;
            }
        };
    }

    @Test
    void configuredServerSideEncryptionIsAskedFor() {
        try (S3RecordingStore s3 = new S3RecordingStore(config(RecorderConfig.Sse.AWS_KMS, "key-1"))) {
            PutObjectRequest r = s3.withEncryption(
                            PutObjectRequest.builder().bucket("b").key("k"))
                    .build();
            assertThat(r.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(r.ssekmsKeyId()).isEqualTo("key-1");
        }
        try (S3RecordingStore s3 = new S3RecordingStore(config(null, null))) {
            PutObjectRequest r = s3.withEncryption(
                            PutObjectRequest.builder().bucket("b").key("k"))
                    .build();
            assertThat(r.serverSideEncryption()).isNull();
        }
    }
}
