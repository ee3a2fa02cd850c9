package dev.portcullis.devstack.cli;

import dev.portcullis.devstack.DevStackException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Readiness of a Portcullis service (started by {@link PortcullisServices}). */
final class ServiceProcess {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceProcess() {}

    /** Readiness: the service's own /q/health/ready says UP (HTTP 200). */
    static void probe(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new DevStackException("health/ready answered " + r.statusCode() + ": " + r.body());
        }
    }
}
