package dev.portcullis.recorder.storage;

import dev.portcullis.recorder.config.RecorderConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Recordings in an S3 bucket (AWS SDK v2, URL-connection HTTP client, blocking calls on worker
 * threads). Large recordings are uploaded in parts; an aborted upload leaves no object behind.
 */
public final class S3RecordingStore implements RecordingStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(S3RecordingStore.class);
    static final String SHA256_METADATA = "sha256";

    private final S3Client s3;
    private final String bucket;
    private final RecorderConfig.S3 config;

    public S3RecordingStore(RecorderConfig.S3 config) {
        this.config = config;
        this.bucket = config.bucket().orElseThrow(() -> new IllegalStateException("portcullis.s3.bucket is not set"));
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                // SHA-256 of every recording is computed by the recorder; S3-compatible servers vary in
                // their support of the SDK's default trailing checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build());
        config.endpoint().filter(e -> !e.isBlank()).ifPresent(e -> b.endpointOverride(URI.create(e)));
        if (config.accessKey().isPresent() && config.secretKey().isPresent()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    config.accessKey().get(), config.secretKey().get())));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = b.build();
    }

    /** Applies the configured server-side encryption to a single-part upload request. */
    PutObjectRequest.Builder withEncryption(PutObjectRequest.Builder r) {
        config.sse().ifPresent(sse -> {
            r.serverSideEncryption(ServerSideEncryption.fromValue(sse.wire()));
            config.sseKmsKeyId().filter(k -> !k.isBlank()).ifPresent(r::ssekmsKeyId);
        });
        return r;
    }

    private CreateMultipartUploadRequest.Builder withEncryption(CreateMultipartUploadRequest.Builder r) {
        config.sse().ifPresent(sse -> {
            r.serverSideEncryption(ServerSideEncryption.fromValue(sse.wire()));
            config.sseKmsKeyId().filter(k -> !k.isBlank()).ifPresent(r::ssekmsKeyId);
        });
        return r;
    }

    @Override
    public void put(String key, Path file, long size, String sha256Hex, String contentType) throws IOException {
        RecordingStore.requireBlockingAllowed("S3 put");
        RecordingKeys.requireValid(key);
        Map<String, String> metadata = Map.of(SHA256_METADATA, sha256Hex);
        try {
            if (size < config.multipartThreshold()) {
                s3.putObject(
                        withEncryption(PutObjectRequest.builder()
                                        .bucket(bucket)
                                        .key(key)
                                        .contentType(contentType)
                                        .contentLength(size)
                                        .metadata(metadata))
                                .build(),
                        RequestBody.fromFile(file));
                return;
            }
            multipart(key, file, size, contentType, metadata);
        } catch (S3Exception e) {
            throw new IOException(
                    "S3 put of " + key + " failed: " + e.awsErrorDetails().errorCode(), e);
        }
    }

    private void multipart(String key, Path file, long size, String contentType, Map<String, String> metadata)
            throws IOException {
        String uploadId = s3.createMultipartUpload(withEncryption(CreateMultipartUploadRequest.builder()
                                .bucket(bucket)
                                .key(key)
                                .contentType(contentType)
                                .metadata(metadata))
                        .build())
                .uploadId();
        boolean done = false;
        try (InputStream in = Files.newInputStream(file)) {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[Math.max(config.partSize(), 5 * 1024 * 1024)];
            int partNumber = 1;
            long sent = 0;
            while (sent < size) {
                int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, size - sent));
                if (n <= 0) {
                    throw new IOException("file shorter than its size");
                }
                int number = partNumber++;
                String etag = s3.uploadPart(
                                p -> p.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(number)
                                        .contentLength((long) n),
                                RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, n), n))
                        .eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                sent += n;
            }
            s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                    .bucket(bucket)
                    .key(key)
                    .uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))
                    .build());
            done = true;
            LOG.debugf("uploaded %s in %d parts", key, parts.size());
        } finally {
            if (!done) {
                try {
                    s3.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(uploadId));
                } catch (RuntimeException e) {
                    LOG.warnf("could not abort multipart upload of %s: %s", key, e.getMessage());
                }
            }
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        RecordingStore.requireBlockingAllowed("S3 head");
        try {
            return Optional.of(s3.headObject(h -> h.bucket(bucket).key(RecordingKeys.requireValid(key)))
                    .contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("S3 head of " + key + " failed: " + e.statusCode(), e);
        }
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        RecordingStore.requireBlockingAllowed("S3 get");
        RecordingKeys.requireValid(key);
        if (length <= 0) {
            return InputStream.nullInputStream();
        }
        try {
            // a ranged GET: only the requested bytes leave S3
            ResponseInputStream<GetObjectResponse> in =
                    s3.getObject(g -> g.bucket(bucket).key(key).range("bytes=" + offset + "-" + (offset + length - 1)));
            return new BoundedInputStream(in, length, in::abort);
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException(key);
        } catch (S3Exception e) {
            throw new IOException("S3 get of " + key + " failed: " + e.statusCode(), e);
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        RecordingStore.requireBlockingAllowed("S3 delete");
        try {
            s3.deleteObject(d -> d.bucket(bucket).key(RecordingKeys.requireValid(key)));
            return true;
        } catch (S3Exception e) {
            throw new IOException("S3 delete of " + key + " failed: " + e.statusCode(), e);
        }
    }

    @Override
    public String describe() {
        return "s3 bucket " + bucket + config.endpoint().map(e -> " at " + e).orElse("")
                + (config.pathStyle() ? " (path-style)" : "");
    }

    @Override
    public void close() {
        s3.close();
    }
}
