package dev.portcullis.recorder.support;

import dev.portcullis.devstack.Component;
import dev.portcullis.devstack.DevStack;
import dev.portcullis.devstack.Jdk;
import dev.portcullis.devstack.Ports;
import dev.portcullis.devstack.S3Server;
import dev.portcullis.devstack.SharedDevStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The recorder's test dependencies: PostgreSQL, Kafka and Keycloak from the JVM-wide dev-stack, and
 * an S3Proxy that keeps objects on disk ({@code filesystem-nio2}, dev-stack's "persistent" mode, in
 * a fresh directory of this run). The dev-stack default keeps objects in S3Proxy's 256 MB heap,
 * where recordings of a few hundred MB fail; downloads of large recordings are what these tests
 * and the benchmark measure.
 */
public final class RecorderDevStack implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "recorder";
    private static S3Server s3;

    @Override
    public Map<String, String> start() {
        DevStack stack = SharedDevStack.ensure(Component.POSTGRES, Component.KAFKA, Component.KEYCLOAK);
        stack.postgres().createDatabase(DATABASE);
        Map<String, String> config = stack.clientConfig(DATABASE);
        S3Server server = s3(stack);
        config.put("portcullis.s3.endpoint", server.endpoint());
        config.put("portcullis.s3.region", S3Server.REGION);
        config.put("portcullis.s3.access-key", server.accessKey());
        config.put("portcullis.s3.secret-key", server.secretKey());
        config.put("portcullis.s3.bucket", DevStack.RECORDINGS_BUCKET);
        config.put("portcullis.s3.path-style", "true");
        config.putAll(TestKeys.config());
        return config;
    }

    /** One on-disk S3Proxy per JVM; stopped with the JVM by dev-stack's child-process reaper. */
    private static synchronized S3Server s3(DevStack stack) {
        if (s3 == null) {
            Path dir = stack.workDir().resolve("s3-on-disk");
            s3 = S3Server.start(
                    dir,
                    Ports.free(),
                    "portcullis-dev",
                    UUID.randomUUID().toString(),
                    true,
                    List.of(DevStack.RECORDINGS_BUCKET),
                    Jdk.find(null),
                    dir.resolve("s3proxy.log"),
                    dir.resolve("s3proxy.pid"),
                    Duration.ofSeconds(90));
        }
        return s3;
    }

    /** The on-disk S3Proxy's pid (for the benchmark's CPU figures). */
    public static synchronized long s3Pid() {
        return s3.pid();
    }

    @Override
    public void stop() {
        // shared by every test class of the run, like the dev-stack
    }
}
