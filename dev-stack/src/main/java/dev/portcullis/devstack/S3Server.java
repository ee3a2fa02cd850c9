package dev.portcullis.devstack;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * An S3-compatible server (S3Proxy from Maven Central) with AWS signature authentication, storing
 * objects on the filesystem (kept between starts) or in memory.
 */
public final class S3Server implements AutoCloseable {

    public static final String REGION = "us-east-1";
    static final String READINESS_KEY = "portcullis-devstack/readiness";

    private final ChildProcess process;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    private S3Server(ChildProcess process, int port, String accessKey, String secretKey) {
        this.process = process;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    public static S3Server start(
            Path dir,
            int port,
            String accessKey,
            String secretKey,
            boolean persistent,
            List<String> buckets,
            Path javaHome,
            Path logFile,
            Path pidFile,
            Duration timeout) {
        try {
            Path blobs = dir.resolve("blobs");
            Files.createDirectories(blobs);
            Path config = dir.resolve("s3proxy.properties");
            Files.writeString(
                    config,
                    """
                    # Written by Portcullis dev-stack (dev-only credentials).
                    s3proxy.endpoint=http://127.0.0.1:%d
                    s3proxy.authorization=aws-v2-or-v4
                    s3proxy.identity=%s
                    s3proxy.credential=%s
                    jclouds.provider=%s
                    jclouds.filesystem.basedir=%s
                    """.formatted(
                                    port,
                                    accessKey,
                                    secretKey,
                                    persistent ? "filesystem-nio2" : "transient-nio2",
                                    blobs.toAbsolutePath()),
                    StandardCharsets.UTF_8);
            ChildProcess proxy = ChildProcess.start(
                    "s3",
                    List.of(
                            Jdk.javaBinary(javaHome).toString(),
                            "-Xmx256m",
                            "-XX:+UseSerialGC",
                            "-XX:TieredStopAtLevel=1",
                            "-jar",
                            Artifacts.s3proxyJar().toString(),
                            "--properties",
                            config.toString()),
                    Map.of(),
                    dir,
                    logFile,
                    pidFile);
            S3Server server = new S3Server(proxy, port, accessKey, secretKey);
            String readinessBucket = buckets.isEmpty() ? "portcullis-devstack" : buckets.get(0);
            Readiness.await("S3Proxy on port " + port, proxy, port, timeout, () -> {
                try (S3Client s3 = server.client()) {
                    for (String bucket : buckets) {
                        ensureBucket(s3, bucket);
                    }
                    probe(s3, readinessBucket);
                }
            });
            return server;
        } catch (IOException e) {
            throw new DevStackException("could not prepare S3Proxy in " + dir + ": " + e.getMessage(), e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A path-style S3 client for this server (the caller closes it). */
    public S3Client client() {
        return client(endpoint(), accessKey, secretKey);
    }

    public static S3Client client(String endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(10))
                        .build())
                .build();
    }

    static void ensureBucket(S3Client s3, String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException raced) {
                // created meanwhile: fine
            }
        }
    }

    /** Readiness: a PUT and a GET of the same bytes. */
    public static void probe(S3Client s3, String bucket) {
        String body = "ready-" + UUID.randomUUID();
        s3.putObject(b -> b.bucket(bucket).key(READINESS_KEY), RequestBody.fromString(body));
        String back =
                s3.getObjectAsBytes(b -> b.bucket(bucket).key(READINESS_KEY)).asUtf8String();
        if (!body.equals(back)) {
            throw new DevStackException("S3 returned different bytes than were stored");
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
