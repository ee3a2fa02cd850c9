package dev.portcullis.recorder.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Recorder settings (prefix {@code portcullis}); every key also reads from the environment, e.g.
 * {@code portcullis.s3.bucket} from {@code PORTCULLIS_S3_BUCKET}.
 */
@ConfigMapping(prefix = "portcullis")
public interface RecorderConfig {

    /** Where the filesystem store keeps recordings (used when no S3 bucket is configured). */
    @WithName("recordings-dir")
    @WithDefault("recordings")
    Path recordingsDir();

    /**
     * {@code auto} (S3 when a bucket is set, else the filesystem), {@code filesystem} or {@code s3}. An enum, so a
     * misspelling stops the service at start.
     */
    @WithDefault("auto")
    Storage storage();

    enum Storage {
        AUTO,
        FILESYSTEM,
        S3
    }

    /**
     * gzip level of stored recordings, 1 (fastest) to 9 (smallest); 0 stores them uncompressed, as before
     * compression. 1: within 12 % of level 9's size for a sixth of level 6's CPU (README "Recordings", measured).
     */
    @WithName("recording-compression-level")
    @WithDefault("1")
    int recordingCompressionLevel();

    /** Local directory for recordings being assembled before upload. */
    Optional<Path> stagingDir();

    S3 s3();

    Ingest ingest();

    Sessions sessions();

    Retention retention();

    Connections connections();

    Signing signing();

    EventAuth eventAuth();

    /**
     * The recording signing key (docs/architecture.md "Recordings"). No key, no start: a recording is never sealed
     * unsigned.
     */
    interface Signing {
        /**
         * PEM file with the Ed25519 private key (PKCS#8) and its public key ({@code PORTCULLIS_SIGNING_KEY_FILE}, a
         * mounted Secret). Its key id is the public key's fingerprint.
         */
        Optional<Path> keyFile();

        /** PEM public keys of signing keys rotated out: recordings they signed still verify. */
        Optional<List<Path>> previousPublicKeys();
    }

    /** Source authentication of session events (docs/architecture.md "Events", {@code authtag}). */
    interface EventAuth {
        /** File with the secret shared with session-proxy (Base64 of 32+ random bytes). */
        Optional<Path> keyFile();

        /** Secrets rotated out on the proxies but still accepted (events in flight or spooled). */
        Optional<List<Path>> previousKeyFiles();

        /**
         * Refuse (dead-letter) session events without a valid tag. On by default; off only for a deployment whose
         * proxies predate tagging, and then recordings say {@code "source_auth":"none"}.
         */
        @WithDefault("true")
        boolean required();
    }

    /** Set by dev-stack and the launcher; the recorder only needs the issuer (quarkus.oidc.*). */
    Keycloak keycloak();

    /** The connections file (docs/architecture.md "Connections"); the recorder reads tags and max session durations. */
    interface Connections {
        /** Path of the YAML file ({@code PORTCULLIS_CONNECTIONS_FILE}). Empty: no tags, the default max duration. */
        Optional<Path> file();
    }

    interface Keycloak {
        Optional<String> url();
    }

    interface S3 {
        /** Endpoint override for S3-compatible servers; empty means AWS. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Static credentials; empty means the SDK's default provider chain. */
        Optional<String> accessKey();

        Optional<String> secretKey();

        Optional<String> bucket();

        /** Path-style addressing (S3Proxy, MinIO, ODF). */
        @WithDefault("false")
        boolean pathStyle();

        /**
         * Server-side encryption: {@code AES256} or {@code aws:kms}; empty means none asked. Anything else stops the
         * service at start (S3 would refuse every upload, or the SDK would pass on a value it does not know).
         */
        @WithConverter(Sse.Converter.class)
        Optional<Sse> sse();

        /** KMS key for {@code aws:kms}. */
        Optional<String> sseKmsKeyId();

        /** Objects at least this large are uploaded in parts. */
        @WithDefault("16777216")
        long multipartThreshold();

        /** Part size of multipart uploads (S3 minimum 5 MiB). */
        @WithDefault("8388608")
        int partSize();
    }

    /** Server-side encryption of uploaded recordings, by the names S3 uses on the wire. */
    enum Sse {
        AES256("AES256"),
        AWS_KMS("aws:kms");

        private final String wire;

        Sse(String wire) {
            this.wire = wire;
        }

        /** As S3 names it in {@code x-amz-server-side-encryption}. */
        public String wire() {
            return wire;
        }

        /** Reads S3's names ({@code AES256}, {@code aws:kms}); the converter of {@link S3#sse()}. */
        public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<Sse> {
            @Override
            public Sse convert(String value) {
                String v = value.trim();
                if (v.isEmpty()) {
                    return null;
                }
                for (Sse s : values()) {
                    if (s.wire.equalsIgnoreCase(v)) {
                        return s;
                    }
                }
                throw new IllegalArgumentException("server-side encryption must be AES256 or aws:kms, not '" + v + "'");
            }
        }
    }

    interface Ingest {
        /** Events larger than this are dead-lettered unread. */
        @WithDefault("1048576")
        int maxEventBytes();

        /** How long a gap in seq is waited for (after the last event) before the recording is closed incomplete. */
        @WithDefault("PT30S")
        Duration gapHold();

        /**
         * Threads that assemble and upload recordings (blocking I/O, never the event loop); mostly
         * waiting on PostgreSQL and S3, so more than the cores.
         */
        @WithDefault("4")
        int finalizerThreads();

        /** How often open sessions are checked for completion, expired gaps and overrun durations. */
        @WithDefault("5s")
        String sweepInterval();

        /** Events read back from the staging table per query while assembling a recording. */
        @WithDefault("1000")
        int assemblePageSize();
    }

    interface Sessions {
        /** Maximum session duration for connections the connections file does not name. */
        @WithDefault("PT8H")
        Duration maxDuration();

        /** Added to the max duration before an open session is closed as incomplete. */
        @WithDefault("PT5M")
        Duration grace();
    }

    interface Retention {
        /** Retention of recordings whose connection tags match no rule. */
        @WithDefault("P90D")
        Duration defaultPeriod();

        /**
         * Rules {@code tag=value:period}, first match wins, e.g. {@code env=prod:P400D,env=dev:P7D}.
         */
        Optional<List<String>> byTag();

        /** How often expired recordings are looked for. */
        @WithDefault("1h")
        String interval();

        /** Recordings deleted per retention run (the rest go next run). */
        @WithDefault("500")
        int batchSize();
    }
}
