package dev.portcullis.devstack.cli;

import dev.portcullis.devstack.ChildProcess;
import dev.portcullis.devstack.DevStackException;
import dev.portcullis.devstack.Jdk;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One of the four Portcullis services, run from its packaged {@code target/quarkus-app/quarkus-run.jar}. */
final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceProcess() {
    }

    static ChildProcess start(String module, int port, Map<String, String> env, Path javaHome, StackLayout layout) {
        Path jar = layout.root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new DevStackException(module + " is not built (" + jar + " is missing); run ./mvnw package -DskipTests");
        }
        return ChildProcess.start(module, List.of(Jdk.javaBinary(javaHome).toString(), "-Xmx384m", "-XX:+UseSerialGC",
                "-jar", jar.toString()), env, layout.root(), layout.log(module), layout.pid(module));
    }

    /** Readiness: the service's own /q/health/ready says UP (HTTP 200). */
    static void probe(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new DevStackException("health/ready answered " + r.statusCode() + ": " + r.body());
        }
    }
}
